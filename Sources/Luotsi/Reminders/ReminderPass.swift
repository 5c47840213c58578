import Foundation
import Logging
import Postgres

/// The reminder pass: every organisation in turn, each in its own transaction. In each it
/// writes what has fallen due as notifications (`Notifier.fallenDue`) and, when e-mail is on,
/// each person's digest for the period into the outbox, with a row in `digests` that says it is
/// written. So a pass that stops half-way loses nothing: run again, it skips whoever has their
/// digest, and resumes after the last organisation finished. One pass at a time runs over the
/// whole platform (`reminder_pass`, platform migration 016), whichever instance or command starts it.
public struct ReminderPass: Sendable {
    let pool: PostgresPool
    let platform: SchemaName
    let tenants: TenantDatabase
    let settings: MailSettings
    let translations: Translations
    let links: UnsubscribeLink
    let logger: Logger
    /// After each organisation the pass rests up to this many times as long as the organisation
    /// took (`LUOTSI_REMINDER_PACE`): a background job's share of the database, so that the
    /// requests people wait for keep their speed while it runs…
    var pace: Double = 0
    /// …but only as long as it still finishes within this window (`LUOTSI_REMINDER_WINDOW_SECONDS`):
    /// a pass over many organisations rests less, so that everyone's digest goes out in time.
    var window: Duration = .seconds(270)

    /// How long a pass may go without a sign of life before another may take over.
    static let staleAfter: Duration = .seconds(120)
    static let batchSize = 500

    public struct Report: Sendable, CustomStringConvertible {
        /// False when another pass was running: this one did nothing.
        public let ran: Bool
        public let resumed: Bool
        public let organisations: Int
        public let digests: Int
        public let seconds: Double

        public var description: String {
            guard ran else { return "another reminder pass is running; this one did nothing" }
            return "\(resumed ? "resumed a pass: " : "")\(organisations) organisations, \(digests) digests written to the outbox in "
                + String(format: "%.1f s", seconds)
        }
    }

    /// Runs one pass as of `moment` (its day and week choose the digests' periods and what is
    /// due). `instance` names this runner in `reminder_pass`.
    public func run(at moment: Date, instance: String = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))")
        async throws -> Report
    {
        let started = ContinuousClock.now
        try await links.load()
        guard let claim = try await claim(moment, instance: instance) else {
            return Report(ran: false, resumed: false, organisations: 0, digests: 0, seconds: 0)
        }
        var cursor = claim.cursor ?? ""
        var organisations = 0
        var digests = 0
        var pending = (organisations: 0, digests: 0)
        var lastBeat = ContinuousClock.now
        let day = try Self.day(of: claim.at)
        var pacing = Pacing(
            pace: pace, deadline: started + window,
            organisations: try await pool.query(
                "SELECT count(*) AS n FROM \(schema: platform).organisations WHERE status = 'active' AND schema_name > \(cursor)"
            ).one().decode("n"))
        do {
            passLoop: while true {
                let batch = try await pool.query(
                    """
                    SELECT slug, schema_name FROM \(schema: platform).organisations
                    WHERE status = 'active' AND schema_name > \(cursor) ORDER BY schema_name LIMIT \(Int32(Self.batchSize))
                    """)
                if batch.isEmpty { break }
                for row in batch {
                    let slug: String = try row.decode("slug")
                    guard let schema = SchemaName(try row.decode("schema_name", as: String.self)) else { continue }
                    try Task.checkCancellation()
                    let began = ContinuousClock.now
                    do {
                        pending.digests += try await organisation(slug: slug, schema: schema, day: day, at: claim.at)
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch let error as PostgresError where error.kind != .server && error.kind != .decoding {
                        throw error  // the database is out of reach, not this organisation: stop, to resume later
                    } catch {
                        // One organisation's failure (its schema mid-migration, say) does not stop the others'.
                        logger.error("reminder pass: organisation failed", metadata: ["organisation": "\(slug)", "error": "\(error)"])
                    }
                    pending.organisations += 1
                    cursor = schema.rawValue
                    if let rest = pacing.rest(afterWorking: ContinuousClock.now - began) { try await Task.sleep(for: rest) }
                    if ContinuousClock.now - lastBeat > .seconds(5) {
                        guard try await heartbeat(instance: instance, cursor: cursor, pending) else { break passLoop }
                        organisations += pending.organisations
                        digests += pending.digests
                        pending = (0, 0)
                        lastBeat = .now
                    }
                }
            }
        } catch {
            // Stopped half-way (an error, or the server shutting down): let go of the pass at once,
            // unfinished, so that the next one resumes after the last organisation done. In a task
            // of its own, which a cancellation of this one does not reach.
            let done = pending
            await Task.detached { try? await release(instance: instance, cursor: cursor, done, finished: false) }.value
            throw error
        }
        organisations += pending.organisations
        digests += pending.digests
        try await release(instance: instance, cursor: cursor, pending, finished: true)
        let elapsed = ContinuousClock.now - started
        return Report(
            ran: true, resumed: claim.resumed, organisations: organisations, digests: digests,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// One organisation, in one transaction: what fell due, then the digests of those due one.
    /// Everything is read in the transaction's first round trip (the due notifications written
    /// first, so the digests see them), the digests written in a second, committed in a third.
    /// Returns how many digests it wrote.
    func organisation(slug: String, schema: SchemaName, day: CalendarDate, at moment: Date) async throws -> Int {
        let week = day.isoWeek
        return try await tenants.withTenant(schema) { connection in
            let people: SQL = """
                SELECT u.id FROM users u
                WHERE u.active AND u.reminder_email <> 'off' AND NOT EXISTS (
                    SELECT 1 FROM digests d WHERE d.user_id = u.id
                      AND d.period = CASE u.reminder_email WHEN 'daily' THEN \(day.description) ELSE \(week) END)
                """
            let reads: [SQL] =
                settings.isOn
                ? ["SELECT u.id, u.email, u.name, u.language, u.reminder_email FROM users u WHERE u.id IN (\(people))"]
                    + Self.digestReads(recipients: people, day: day) : []
            let results = PipelineResults(try await connection.pipeline(Notifier.fallenDue(asOf: day) + reads))
            guard settings.isOn else { return 0 }
            let recipients = try results.at(2).map { row in
                Digest.Person(
                    id: try row.decode("id"), email: try row.decode("email"), name: try row.decode("name"),
                    language: Language(rawValue: try row.decode("language", as: String?.self) ?? "") ?? .fi,
                    frequency: ReminderFrequency(rawValue: try row.decode("reminder_email")) ?? .weekly)
            }
            guard !recipients.isEmpty else { return 0 }
            let digests = try Self.digests(
                for: recipients, day: day, from: PipelineResults([try results.at(3), try results.at(4), try results.at(5)])
            )
            .filter { !$0.isEmpty }
            guard !digests.isEmpty else { return 0 }
            var messages: [MailMessage] = []
            var logged: [SQL] = []
            for digest in digests {
                let messageID = MailMessage.messageID(
                    "digest.\(digest.period).\(digest.person.id.uuidString.lowercased())", publicURL: settings.publicURL)
                let token = try await links.token(organisation: slug, person: digest.person.id)
                messages.append(
                    digest.message(
                        strings: translations.strings(digest.person.language), settings: settings,
                        unsubscribe: settings.link("/unsubscribe/\(token)?lang=\(digest.person.language.rawValue)"), messageID: messageID,
                        date: moment))
                logged.append("(\(digest.person.id), \(digest.period), \(messageID), \(Int32(digest.itemCount)))")
            }
            var writes: [SQL] = [
                MailOutbox.insert(messages, kind: .digest, platform: platform),
                "INSERT INTO digests (user_id, period, message_id, items) VALUES \(SQL.joined(logged, separator: ", "))",
            ]
            let accounted = digests.flatMap(\.accountedFor)
            if !accounted.isEmpty {
                writes.append("UPDATE notifications SET emailed_at = now() WHERE id = ANY(\(accounted))")
            }
            _ = try await connection.pipeline(writes)
            return digests.count
        }
    }

    /// What the digests of `recipients` (a query of user ids) hold: unread notifications not yet
    /// mailed, overdue tasks, check-ins due. Three statements, for one pipeline.
    static func digestReads(recipients: SQL, day: CalendarDate) -> [SQL] {
        [
            """
            SELECT n.recipient_id, \(NotificationRepository.columns)
            WHERE n.recipient_id IN (\(recipients)) AND n.read_at IS NULL AND n.emailed_at IS NULL ORDER BY n.seq DESC
            """,
            """
            SELECT t.assignee_id, t.title, t.due, p.title AS procurement FROM tasks t JOIN procurements p ON p.id = t.procurement_id
            WHERE t.assignee_id IN (\(recipients)) AND t.status <> 'done' AND t.due < \(day) ORDER BY t.due, t.title
            """,
            """
            SELECT DISTINCT r.user_id, d.id, d.title, d.catalogue_name, d.since FROM (\(Notifier.dueCheckIns(asOf: day))) d
            CROSS JOIN LATERAL (
                SELECT d.owner_id AS user_id
                UNION SELECT p.lead_id FROM procurements p WHERE p.id = d.procurement_id
                UNION SELECT m.user_id FROM procurement_members m WHERE m.procurement_id = d.procurement_id
            ) r
            WHERE r.user_id IN (\(recipients)) ORDER BY d.since, d.title
            """,
        ]
    }

    /// Each person's digest from `digestReads`' three results.
    static func digests(for people: [Digest.Person], day: CalendarDate, from results: PipelineResults) throws -> [Digest] {
        var news: [UUID: [NotificationItem]] = [:]
        var accounted: [UUID: [UUID]] = [:]
        for row in try results.at(0) {
            let recipient: UUID = try row.decode("recipient_id")
            let item = try NotificationItem(row: row)
            accounted[recipient, default: []].append(item.id)
            if Notifier.Kind(rawValue: item.kind)?.isDue != true { news[recipient, default: []].append(item) }
        }
        var tasks: [UUID: [Digest.OverdueTask]] = [:]
        for row in try results.at(1) {
            tasks[try row.decode("assignee_id"), default: []].append(
                Digest.OverdueTask(title: try row.decode("title"), due: try row.decode("due"), procurement: try row.decode("procurement")))
        }
        var checkIns: [UUID: [Digest.DueCheckIn]] = [:]
        for row in try results.at(2) {
            checkIns[try row.decode("user_id"), default: []].append(
                Digest.DueCheckIn(goalID: try row.decode("id"), title: try GoalTitle(row: row), since: try row.decode("since")))
        }
        return people.compactMap { person in
            guard let period = person.frequency.period(of: day) else { return nil }
            return Digest(
                person: person, period: period, overdueTasks: tasks[person.id] ?? [], dueCheckIns: checkIns[person.id] ?? [],
                news: news[person.id] ?? [], accountedFor: accounted[person.id] ?? [])
        }
    }

    /// How long to rest after an organisation: `pace` times its work, unless the organisations
    /// left, at the average work each so far, would then not fit before the deadline.
    struct Pacing {
        let pace: Double
        let deadline: ContinuousClock.Instant
        var organisations: Int
        var worked: Duration = .zero
        var done = 0

        mutating func rest(afterWorking work: Duration) -> Duration? {
            worked += work
            done += 1
            guard pace > 0 else { return nil }
            let left = max(0, organisations - done)
            let average = worked / done
            let slack = deadline - ContinuousClock.now - average * left
            let share = left > 0 ? slack / left : slack
            let rest = min(work * pace, max(.zero, share))
            return rest > .zero ? rest : nil
        }
    }

    // MARK: - One pass at a time

    private struct Claim {
        let at: Date
        let cursor: String?
        let resumed: Bool
    }

    /// Takes the pass for `instance` unless another runner holds it and is alive. A pass left
    /// unfinished for the same day is resumed where it stopped.
    private func claim(_ moment: Date, instance: String) async throws -> Claim? {
        let stale = Int32(Self.staleAfter.components.seconds)
        guard
            let row = try await pool.query(
                """
                UPDATE \(schema: platform).reminder_pass r SET running_by = \(instance), heartbeat_at = now(),
                       pass_at = CASE WHEN resume THEN r.pass_at ELSE \(moment) END,
                       cursor = CASE WHEN resume THEN r.cursor END,
                       started_at = CASE WHEN resume THEN r.started_at ELSE now() END,
                       organisations = CASE WHEN resume THEN r.organisations ELSE 0 END,
                       digests = CASE WHEN resume THEN r.digests ELSE 0 END,
                       finished_at = NULL
                FROM (SELECT finished_at IS NULL AND pass_at IS NOT NULL
                             AND (pass_at AT TIME ZONE 'UTC')::date = (\(moment)::timestamptz AT TIME ZONE 'UTC')::date AS resume
                      FROM \(schema: platform).reminder_pass FOR UPDATE) previous
                WHERE r.running_by IS NULL OR r.heartbeat_at < now() - make_interval(secs => \(stale))
                RETURNING r.pass_at, r.cursor, previous.resume
                """
            ).single()
        else { return nil }
        return Claim(at: try row.decode("pass_at"), cursor: try row.decode("cursor"), resumed: try row.decode("resume"))
    }

    /// Records progress; false when another runner has taken the pass over (this one then stops).
    private func heartbeat(instance: String, cursor: String, _ done: (organisations: Int, digests: Int)) async throws -> Bool {
        try await pool.query(
            """
            UPDATE \(schema: platform).reminder_pass SET heartbeat_at = now(), cursor = \(cursor),
                   organisations = organisations + \(Int32(done.organisations)), digests = digests + \(Int32(done.digests))
            WHERE running_by = \(instance)
            """
        ).affectedRows == 1
    }

    /// Lets go of the pass: finished, or (stopped half-way) left to be resumed.
    private func release(instance: String, cursor: String, _ done: (organisations: Int, digests: Int), finished: Bool) async throws {
        try await pool.query(
            """
            UPDATE \(schema: platform).reminder_pass SET running_by = NULL, heartbeat_at = now(),
                   finished_at = CASE WHEN \(finished) THEN now() END, cursor = \(cursor),
                   organisations = organisations + \(Int32(done.organisations)), digests = digests + \(Int32(done.digests))
            WHERE running_by = \(instance)
            """)
    }

    /// The UTC day of a moment.
    static func day(of moment: Date) throws -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: moment)
        guard let day = CalendarDate(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0) else {
            throw LuotsiError.invalid(field: "at", reason: "is not a moment between the years 1 and 9999")
        }
        return day
    }
}
