import Foundation
import Postgres

/// Goals of the current organisation: the SQL, and the checks that need the organisation's data.
/// Writes take checked commands (GoalCommands.swift). Every method runs inside the
/// organisation's transaction (`TenantDatabase.withTenant`), so unqualified table names are the
/// organisation's own.
public struct GoalRepository: Sendable {
    /// The platform schema, for reading the shared catalogue.
    public let platform: SchemaName

    public init(platform: SchemaName) { self.platform = platform }

    var catalogue: SchemaName { platform }

    // MARK: - Reading

    public func list(
        status: GoalStatus?, level: GoalLevel?, procurementID: UUID?, year: Int? = nil, page: PageRequest, viewer: Identity.Member,
        on connection: TenantConnection
    ) async throws -> Page<GoalView> {
        try await list(status: status, level: level, procurementID: procurementID, year: year, page: page, on: connection).seen(
            by: viewer.id)
    }

    /// A page of goals as everyone sees it but for their own support: one read, and one cache
    /// entry (`cacheKey`), for every viewer.
    func list(
        status: GoalStatus?, level: GoalLevel?, procurementID: UUID?, year: Int? = nil, page: PageRequest,
        on connection: TenantConnection
    ) async throws -> GoalListRead {
        let selection: SQL = """
            SELECT id, seq FROM goals
            WHERE seq > \(page.after)
              AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
              AND (\(level?.rawValue)::text IS NULL OR level = \(level?.rawValue))
              AND (\(procurementID)::uuid IS NULL OR procurement_id = \(procurementID))
              AND (\(year.map(Int32.init))::int IS NULL OR plan_year = \(year.map(Int32.init)))
            ORDER BY seq LIMIT \(page.limit + 1)
            """
        // The page's goals and their views in one round trip: the views select by the same query.
        let views = GoalViews(platform: platform)
        let results = try await connection.pipeline([selection] + views.statements(idSet: "SELECT id FROM (\(selection)) page"))
        let selected = results[0]  // one result per statement: no input reaches a trap
        let ids: [(Int64, UUID)] = try selected.map { (try $0.decode("seq"), try $0.decode("id")) }
        let loaded = try views.assemble(results[1...])
        return GoalListRead(page: page.page(ids.compactMap { seq, id in loaded.views[id].map { (seq, $0) } }), views: loaded)
    }

    /// What a goal list depends on besides the organisation's data, for the read-model cache.
    static func listKey(status: GoalStatus?, level: GoalLevel?, procurementID: UUID?, year: Int? = nil, page: PageRequest) -> String {
        "goals.list|\(status?.rawValue ?? "")|\(level?.rawValue ?? "")|\(procurementID?.uuidString ?? "")|\(year.map(String.init) ?? "")|\(page.after)|\(page.limit)"
    }

    public func get(_ id: UUID, viewer: Identity.Member, on connection: TenantConnection) async throws -> GoalView {
        guard let view = try await GoalViews(platform: platform).load([id], viewer: viewer, on: connection)[id] else {
            throw LuotsiError.notFound("goal")
        }
        return view
    }

    // MARK: - Writing

    public func create(_ goal: NewGoal, by actor: Identity.Member, on connection: TenantConnection) async throws -> GoalView {
        if let procurementID = goal.procurementID,
            try await connection.query("SELECT 1 FROM procurements WHERE id = \(procurementID)").single() == nil
        {
            throw LuotsiError.unknownReference(field: "procurementId", what: "no such procurement")
        }
        var title = goal.title
        var themeCode = goal.themeCode
        var catalogueName: JSONB?
        if let catalogueGoalID = goal.catalogueGoalID {
            guard
                let row = try await connection.query(
                    """
                    SELECT g.name, t.code AS theme FROM \(schema: catalogue).catalogue_goals g
                    JOIN \(schema: catalogue).catalogue_themes t ON t.id = g.theme_id
                    JOIN \(schema: catalogue).catalogue_versions v ON v.version = g.version AND v.status = 'published'
                    WHERE g.id = \(catalogueGoalID)
                    """
                ).single()
            else { throw LuotsiError.unknownReference(field: "catalogueGoalId", what: "no such published catalogue goal") }
            let nameJSON = try row.decode("name", as: JSONB.self)
            let name = try nameJSON.decode(Localized.self)
            title = title ?? name.fi
            catalogueName = nameJSON
            themeCode = try row.decode("theme")
        }
        guard let title else { throw LuotsiError.invalid(field: "title", reason: "is required unless adopting a catalogue goal") }
        try await validateTheme(themeCode, on: connection)
        let row = try await connection.query(
            """
            INSERT INTO goals (title, description, level, procurement_id, catalogue_goal_id, theme_code, priority, created_by, catalogue_name,
                               plan_year)
            VALUES (\(title), \(goal.description), \(goal.level.rawValue), \(goal.procurementID),
                    \(goal.catalogueGoalID), \(themeCode), \(goal.priority), \(actor.id), \(catalogueName),
                    coalesce(\(goal.planYear.map(Int32.init))::int, (SELECT \(Self.currentPlanningYear) FROM settings)))
            RETURNING id
            """
        ).one()
        let id: UUID = try row.decode("id")
        try await setAlignments(of: id, to: goal.alignsTo, on: connection)
        try await recordTransition(id, from: nil, to: .idea, reason: "proposed", by: actor, on: connection)
        try await Notifier.ideaProposed(id, by: actor, on: connection)
        let view = try await get(id, viewer: actor, on: connection)
        try await AuditLog.record("goal.create", entity: "goal", id: id, by: actor, after: GoalSummary(view), on: connection)
        return view
    }

    public func update(
        _ id: UUID, expectedVersion: Int?, with changes: GoalChanges, by actor: Identity.Member, on connection: TenantConnection
    )
        async throws -> GoalView
    {
        let before = try await lockForUpdate(id, expectedVersion: expectedVersion, on: connection)
        if changes.touchesSchedule, let refusal = GoalPolicy(actor).scheduleChangeRefusal(level: before.level) { throw refusal }
        var assignments: [SQL] = []
        if let title = changes.title { assignments.append("title = \(title)") }
        if let description = changes.description { assignments.append("description = \(description)") }
        if changes.priority.isPresent { assignments.append("priority = \(changes.priority.value.map(Int16.init))") }
        if changes.themeCode.isPresent {
            try await validateTheme(changes.themeCode.value, on: connection)
            assignments.append("theme_code = \(changes.themeCode.value)")
        }
        if changes.ownerId.isPresent {
            if let owner = changes.ownerId.value { try await UserRepository.requireActive(owner, field: "ownerId", on: connection) }
            if before.status == .scheduled, changes.ownerId.value == nil {
                throw LuotsiError.invalid(field: "ownerId", reason: "a scheduled goal needs an owner")
            }
            assignments.append("owner_id = \(changes.ownerId.value)")
        }
        let start = changes.start.isPresent ? changes.start.value : before.start
        let due = changes.due.isPresent ? changes.due.value : before.due
        try GoalValidation.period(start: start, due: due)
        if before.status == .scheduled, start == nil || due == nil {
            throw LuotsiError.invalid(field: start == nil ? "start" : "due", reason: "a scheduled goal needs a start and a due date")
        }
        if changes.start.isPresent { assignments.append("start_date = \(start)") }
        if changes.due.isPresent { assignments.append("due_date = \(due)") }
        // A scheduled goal's new owner or dates are a reschedule: why is asked and kept in its history.
        let owner = changes.ownerId.isPresent ? changes.ownerId.value : before.ownerId
        let reschedules = before.status == .scheduled && (owner != before.ownerId || start != before.start || due != before.due)
        if reschedules, changes.reason == nil {
            throw LuotsiError.invalid(field: "reason", reason: "is required when a scheduled goal's owner, start or due date changes")
        }
        // Another plan year is a move of its own (a roll-over): asked why, and kept in the history.
        let movesYear = changes.planYear.map { $0 != before.planYear } ?? false
        if movesYear {
            if before.status.isFinal { throw LuotsiError.conflict("a goal whose work is over stays in its plan year") }
            if changes.reason == nil {
                throw LuotsiError.invalid(field: "reason", reason: "is required when a goal moves to another plan year")
            }
            assignments.append("plan_year = \(changes.planYear.map(Int32.init))")
        }
        assignments.append("version = version + 1")
        assignments.append("updated_at = now()")
        try await connection.query("UPDATE goals SET \(SQL.joined(assignments, separator: ", ")) WHERE id = \(id)")
        if movesYear, let reason = changes.reason, let year = changes.planYear {
            try await recordTransition(
                id, from: before.status, to: before.status, reason: reason, planYear: year, by: actor, on: connection)
        }
        if reschedules, let reason = changes.reason {
            try await recordTransition(id, from: .scheduled, to: .scheduled, reason: reason, by: actor, on: connection)
        }
        if let alignsTo = changes.alignsTo { try await setAlignments(of: id, to: alignsTo, on: connection) }
        if let milestones = changes.milestones { try await replaceMilestones(of: id, with: milestones, by: actor, on: connection) }
        if let indicators = changes.indicators { try await replaceIndicators(of: id, with: indicators, by: actor, on: connection) }
        try await Notifier.goalChanged(id, by: actor, reason: changes.reason, on: connection)
        let after = try await get(id, viewer: actor, on: connection)
        try await AuditLog.record(
            "goal.update", entity: "goal", id: id, by: actor, before: before.summary, after: GoalSummary(after), on: connection)
        return after
    }

    /// Moves a goal through the funnel as `GoalPolicy` allows (an impossible move is 409, a move
    /// the person may not make 403); scheduling needs owner, start and due; closing records the
    /// reason as the evaluation.
    public func transition(_ id: UUID, _ move: GoalMove, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> GoalView
    {
        let target = move.target
        let before = try await lockForUpdate(id, expectedVersion: nil, on: connection)
        if let refusal = GoalPolicy(actor).refusal(moving: before.status, to: target, level: before.level) { throw refusal }
        var assignments: [SQL] = ["status = \(target.rawValue)", "version = version + 1", "updated_at = now()"]
        if target == .scheduled {
            guard let owner = move.ownerId ?? before.ownerId else {
                throw LuotsiError.invalid(field: "ownerId", reason: "is required to schedule a goal")
            }
            guard let start = move.start ?? before.start else {
                throw LuotsiError.invalid(field: "start", reason: "is required to schedule a goal")
            }
            guard let due = move.due ?? before.due else {
                throw LuotsiError.invalid(field: "due", reason: "is required to schedule a goal")
            }
            try GoalValidation.period(start: start, due: due)
            _ = try GoalValidation.planYear(start.year, field: "start")
            try await UserRepository.requireActive(owner, field: "ownerId", on: connection)
            // A scheduled goal belongs to the year it starts in.
            assignments += [
                "owner_id = \(owner)", "start_date = \(start)", "due_date = \(due)", "plan_year = \(Int32(start.year))",
            ]
        }
        if target.isClosing { assignments.append("evaluation = \(move.reason)") }
        try await connection.query("UPDATE goals SET \(SQL.joined(assignments, separator: ", ")) WHERE id = \(id)")
        if let milestones = move.milestones { try await replaceMilestones(of: id, with: milestones, by: actor, on: connection) }
        if let indicators = move.indicators { try await replaceIndicators(of: id, with: indicators, by: actor, on: connection) }
        try await recordTransition(id, from: before.status, to: target, reason: move.reason, by: actor, on: connection)
        try await Notifier.goalMoved(id, from: before.status, to: target, reason: move.reason, by: actor, on: connection)
        let after = try await get(id, viewer: actor, on: connection)
        try await AuditLog.record(
            "goal.transition", entity: "goal", id: id, by: actor, before: before.summary, after: GoalSummary(after), on: connection)
        return after
    }

    /// Checks `input` (`NewGoal`) and creates the goal: for callers already inside the
    /// transaction, such as the demo's seeding and the catalogue's adopt button.
    public func create(_ input: NewGoalInput, by actor: Identity.Member, on connection: TenantConnection) async throws -> GoalView {
        try await create(try NewGoal(input), by: actor, on: connection)
    }

    /// Checks `input` (`GoalMove`) and moves the goal.
    public func transition(_ id: UUID, _ input: TransitionInput, by actor: Identity.Member, on connection: TenantConnection)
        async throws -> GoalView
    {
        try await transition(id, try GoalMove(input), by: actor, on: connection)
    }

    /// The goal's recorded moves, oldest first.
    public func transitions(of id: UUID, viewer: Identity.Member, on connection: TenantConnection) async throws -> [Transition] {
        _ = try await get(id, viewer: viewer, on: connection)
        return try await Self.readTransitions(of: id).read(on: connection)
    }

    /// A goal's funnel history, oldest first, with who made each move: for the API and the goal page.
    static func readTransitions(of id: UUID) -> PipelinedRead<[Transition]> {
        PipelinedRead(statements: [
            """
            SELECT t.from_status, t.to_status, t.reason, t.actor_id, u.name AS actor_name, t.at, t.plan_year
            FROM goal_transitions t LEFT JOIN users u ON u.id = t.actor_id WHERE t.goal_id = \(id) ORDER BY t.seq
            """
        ]) { results in
            try results.at(0).map { row in
                Transition(
                    from: try row.decode("from_status"), to: try row.decode("to_status"), reason: try row.decode("reason"),
                    actorId: try row.decode("actor_id"), actorName: try row.decode("actor_name"), at: try row.decode("at"),
                    planYear: try row.decode("plan_year", as: Int32?.self).map(Int.init))
            }
        }
    }

    /// A milestone's state as the audit trail keeps it.
    struct MilestoneState: Encodable, Sendable {
        let milestoneId: UUID
        let title: String
        let done: Bool
    }

    public struct Transition: Codable, Sendable {
        public let from: String?
        public let to: String
        public let reason: String
        public let actorId: UUID
        public let actorName: String?
        public let at: Date
        /// Set when the move took the goal to another plan year (a roll-over).
        public let planYear: Int?
    }

    // MARK: - Helpers

    /// The goal's own row, locked for the rest of the transaction: what a change is checked
    /// against and what the audit trail keeps of it before the change. Only the row, not the
    /// whole view: a change builds the view once, afterwards, for its answer.
    struct LockedGoal {
        let level: GoalLevel
        let status: GoalStatus
        let summary: GoalSummary
        let planYear: Int
        var ownerId: UUID? { summary.ownerId }
        var start: CalendarDate? { summary.start }
        var due: CalendarDate? { summary.due }
    }

    /// Locks the row for the rest of the transaction and checks the `If-Match` version.
    func lockForUpdate(_ id: UUID, expectedVersion: Int?, on connection: TenantConnection) async throws -> LockedGoal {
        guard
            let row = try await connection.query(
                "SELECT title, status, level, priority, owner_id, start_date, due_date, version, plan_year FROM goals WHERE id = \(id) FOR UPDATE"
            ).single()
        else {
            throw LuotsiError.notFound("goal")
        }
        let summary = GoalSummary(
            title: try row.decode("title"), status: try row.decode("status"), level: try row.decode("level"),
            priority: try row.decode("priority"), ownerId: try row.decode("owner_id"), start: try row.decode("start_date"),
            due: try row.decode("due_date"), version: try row.decode("version"))
        if let expectedVersion, summary.version != expectedVersion { throw LuotsiError.preconditionFailed }
        guard let level = GoalLevel(rawValue: summary.level), let status = GoalStatus(rawValue: summary.status) else {
            throw PostgresError(kind: .decoding, message: "goal \(id) has level \(summary.level) and status \(summary.status)")
        }
        return LockedGoal(level: level, status: status, summary: summary, planYear: Int(try row.decode("plan_year", as: Int32.self)))
    }

    func recordTransition(
        _ id: UUID, from: GoalStatus?, to: GoalStatus, reason: String, planYear: Int? = nil, by actor: Identity.Member,
        on connection: TenantConnection
    )
        async throws
    {
        try await connection.query(
            """
            INSERT INTO goal_transitions (goal_id, from_status, to_status, reason, actor_id, plan_year)
            VALUES (\(id), \(from?.rawValue), \(to.rawValue), \(reason), \(actor.id), \(planYear.map(Int32.init)))
            """
        )
    }

    /// The organisation's current planning year as an expression over `settings`: the one set,
    /// else the calendar year.
    static let currentPlanningYear: SQL = "coalesce(planning_year, extract(year FROM current_date)::int)"

    /// Each id is an organisation goal of this organisation or a published catalogue goal.
    private func setAlignments(of id: UUID, to targets: [UUID], on connection: TenantConnection) async throws {
        try await connection.query("DELETE FROM goal_alignments WHERE goal_id = \(id)")
        for (index, target) in Set(targets).sorted(by: { $0.uuidString < $1.uuidString }).enumerated() {
            guard target != id else { throw LuotsiError.invalid(field: "alignsTo[\(index)]", reason: "a goal cannot align to itself") }
            if try await connection.query("SELECT 1 FROM goals WHERE id = \(target) AND level = 'organisation'").single() != nil {
                try await connection.query("INSERT INTO goal_alignments (goal_id, aligns_to_goal_id) VALUES (\(id), \(target))")
            } else if try await connection.query(
                """
                SELECT 1 FROM \(schema: catalogue).catalogue_goals g
                JOIN \(schema: catalogue).catalogue_versions v ON v.version = g.version AND v.status = 'published'
                WHERE g.id = \(target)
                """
            ).single() != nil {
                try await connection.query("INSERT INTO goal_alignments (goal_id, aligns_to_catalogue_id) VALUES (\(id), \(target))")
            } else {
                throw LuotsiError.unknownReference(
                    field: "alignsTo", what: "\(target) is neither an organisation goal nor a national catalogue goal")
            }
        }
    }

    /// `items` checked by `GoalValidation.milestones` (in the commands). One given as done is
    /// done now, by `actor`.
    private func replaceMilestones(of id: UUID, with items: [MilestoneInput], by actor: Identity.Member, on connection: TenantConnection)
        async throws
    {
        try await connection.query("DELETE FROM goal_milestones WHERE goal_id = \(id)")
        for (index, item) in items.enumerated() {
            let done = item.done ?? false
            try await connection.query(
                """
                INSERT INTO goal_milestones (goal_id, position, title, due, done, done_at, done_by)
                VALUES (\(id), \(index + 1), \(item.title), \(item.due), \(done), CASE WHEN \(done) THEN now() END,
                        CASE WHEN \(done) THEN \(actor.id)::uuid END)
                """)
        }
    }

    /// Ticks one milestone of a scheduled goal done, or undoes it: whoever may check in on the
    /// goal may (`GoalPolicy.checkInRefusal`). Ticking one already done (or undoing one not
    /// done) changes nothing and is not an error.
    public func setMilestone(
        _ milestoneID: UUID, of id: UUID, done: Bool, by actor: Identity.Member, on connection: TenantConnection
    ) async throws -> GoalView {
        let found = try await connection.pipeline([
            """
            SELECT g.status, (g.owner_id = \(actor.id) OR p.lead_id = \(actor.id) OR EXISTS (SELECT 1 FROM procurement_members m
                              WHERE m.procurement_id = p.id AND m.user_id = \(actor.id))) AS member
            FROM goals g LEFT JOIN procurements p ON p.id = g.procurement_id WHERE g.id = \(id) FOR UPDATE OF g
            """,
            "SELECT title, done FROM goal_milestones WHERE id = \(milestoneID) AND goal_id = \(id) FOR UPDATE",
        ])
        let (goalRows, milestoneRows) = (found[0], found[1])  // one result per statement: no input reaches a trap
        guard let goal = try goalRows.single() else { throw LuotsiError.notFound("goal") }
        guard let milestone = try milestoneRows.single() else { throw LuotsiError.notFound("milestone") }
        let status = GoalStatus(rawValue: try goal.decode("status")) ?? .idea
        if let refusal = GoalPolicy(actor).checkInRefusal(status: status, inProcurement: try goal.decode("member", as: Bool?.self) == true)
        {
            throw refusal
        }
        if try milestone.decode("done", as: Bool.self) != done {
            try await connection.query(
                """
                UPDATE goal_milestones SET done = \(done), done_at = CASE WHEN \(done) THEN now() END,
                       done_by = CASE WHEN \(done) THEN \(actor.id)::uuid END
                WHERE id = \(milestoneID)
                """)
            let title: String = try milestone.decode("title")
            try await AuditLog.record(
                "goal.milestone", entity: "goal", id: id, by: actor,
                before: MilestoneState(milestoneId: milestoneID, title: title, done: !done),
                after: MilestoneState(milestoneId: milestoneID, title: title, done: done), on: connection)
            try await Notifier.goalChanged(id, by: actor, on: connection)
        }
        return try await get(id, viewer: actor, on: connection)
    }

    /// Replaces the current indicators by position, keeping the ids (and so the recorded values)
    /// of those that stay. One left out is retired when values were recorded against it (its
    /// history stays), else removed. `items` checked by `GoalValidation.indicators`.
    private func replaceIndicators(of id: UUID, with items: [IndicatorInput], by actor: Identity.Member, on connection: TenantConnection)
        async throws
    {
        let existing: [UUID] = try await connection.query(
            "SELECT id FROM goal_indicators WHERE goal_id = \(id) AND retired_at IS NULL ORDER BY position"
        ).map { try $0.decode("id") }
        for (index, item) in items.enumerated() {
            try await requirePublishedCatalogueIndicator(
                item.catalogueIndicatorId, field: "indicators[\(index)].catalogueIndicatorId", on: connection)
            if index < existing.count {
                try await connection.query(
                    """
                    UPDATE goal_indicators SET name = \(item.name), unit = \(item.unit ?? ""), baseline = \(item.baseline), target = \(item.target),
                        direction = \(item.direction), catalogue_indicator_id = \(item.catalogueIndicatorId)
                    WHERE id = \(existing[index])
                    """)
            } else {
                try await insertIndicator(item, into: id, on: connection)
            }
        }
        if existing.count > items.count {
            let leaving = Array(existing[items.count...])
            try await connection.query(
                """
                UPDATE goal_indicators SET retired_at = now(), retired_by = \(actor.id)
                WHERE id = ANY(\(leaving)) AND EXISTS (SELECT 1 FROM checkin_indicator_values v WHERE v.indicator_id = goal_indicators.id)
                """)
            try await connection.query("DELETE FROM goal_indicators WHERE id = ANY(\(leaving)) AND retired_at IS NULL")
        }
    }

    /// Only a published version's rows are permanent (platform migration 011): no foreign key
    /// backs a goal's reference to a catalogue indicator, so a draft's must not be stored.
    func requirePublishedCatalogueIndicator(_ catalogueIndicator: UUID?, field: String, on connection: TenantConnection) async throws {
        guard let catalogueIndicator else { return }
        let found = try await connection.query(
            """
            SELECT 1 FROM \(schema: catalogue).catalogue_indicators i
            JOIN \(schema: catalogue).catalogue_goals g ON g.id = i.goal_id
            JOIN \(schema: catalogue).catalogue_versions v ON v.version = g.version AND v.status = 'published'
            WHERE i.id = \(catalogueIndicator)
            """
        ).single()
        if found == nil { throw LuotsiError.unknownReference(field: field, what: "no such published catalogue indicator") }
    }

    /// Adds `item` after the goal's other indicators (retired ones included, so positions stay unique).
    @discardableResult
    func insertIndicator(_ item: IndicatorInput, into id: UUID, on connection: TenantConnection) async throws -> UUID {
        let row = try await connection.query(
            """
            INSERT INTO goal_indicators (goal_id, position, name, unit, baseline, target, direction, catalogue_indicator_id)
            VALUES (\(id), (SELECT coalesce(max(position), 0) + 1 FROM goal_indicators WHERE goal_id = \(id)), \(item.name),
                    \(item.unit ?? ""), \(item.baseline), \(item.target), \(item.direction), \(item.catalogueIndicatorId))
            RETURNING id
            """
        ).single()
        guard let row else { throw LuotsiError.conflict("the indicator was not stored") }
        return try row.decode("id")
    }

    private func validateTheme(_ code: String?, on connection: TenantConnection) async throws {
        guard let code else { return }
        guard
            try await connection.query("SELECT 1 FROM \(schema: catalogue).catalogue_themes WHERE code = \(code) LIMIT 1").single()
                != nil
        else {
            throw LuotsiError.unknownReference(field: "themeCode", what: "no such theme in the national catalogue")
        }
    }
}

/// What the audit trail keeps of a goal.
struct GoalSummary: Encodable, Sendable {
    let title: String
    let status: String
    let level: String
    let priority: Int?
    let ownerId: UUID?
    let start: CalendarDate?
    let due: CalendarDate?
    let version: Int
}

// In an extension, so that the memberwise initializer (used by `lockForUpdate`) stays synthesized.
extension GoalSummary {
    init(_ view: GoalView) {
        title = view.title
        status = view.status.rawValue
        level = view.level.rawValue
        priority = view.priority
        ownerId = view.ownerId
        start = view.start
        due = view.due
        version = view.version
    }
}
