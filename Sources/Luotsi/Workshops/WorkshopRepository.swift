import Foundation
import Postgres

/// Workshops inside one organisation's transaction: creating one, its board, ideas, votes,
/// phases, merges and decisions. Closing it into the funnel is `WorkshopClosing`.
///
/// Every change announces itself on `luotsi_workshop` ('<schema>:<workshop id>') when its
/// transaction commits, so every instance refreshes the people watching that board.
public struct WorkshopRepository: Sendable {
    /// The platform schema (the catalogue's goals, the join codes).
    public let platform: SchemaName

    public init(platform: SchemaName) {
        self.platform = platform
    }

    /// The channel that carries '<schema>:<workshop id>' for each change.
    static let channel = "luotsi_workshop"

    // MARK: - Creating and listing

    public func create(_ input: NewWorkshop, by member: Identity.Member, on connection: TenantConnection) async throws -> CreatedWorkshop {
        let focus = try await resolveFocus(input.focus, on: connection)
        // Six characters from an alphabet without look-alikes (0/O, 1/I): read aloud in a room
        // and typed on a phone. The platform's table makes them unique over every organisation.
        let id = UUID()
        var code = ""
        for attempt in 0..<8 {
            code = Self.newCode()
            let added = try await connection.query(
                "INSERT INTO \(schema: platform).workshop_codes (code, workshop_id) VALUES (\(code), \(id)) ON CONFLICT DO NOTHING"
            ).affectedRows
            if added == 1 { break }
            if attempt == 7 { throw LuotsiError.conflict("no free join code was found; try again") }
        }
        try await connection.query(
            """
            INSERT INTO workshops (id, title, focus_catalogue_id, focus_goal_id, focus_procurement_id, votes_per_person, votes_per_idea,
                                   anonymous_ideas, guests_allowed, guest_limit, phase_minutes, join_code, facilitator_id)
            VALUES (\(id), \(input.title), \(focus.catalogue), \(focus.goal), \(focus.procurement), \(input.votesPerPerson),
                    \(input.votesPerIdea), \(input.anonymousIdeas), \(input.guestsAllowed), \(input.guestLimit), \(input.phaseMinutes), \(code),
                    \(member.id))
            """)
        _ = try await participant(for: member, in: id, on: connection)
        try await AuditLog.record(
            "workshop.create", entity: "workshop", id: id, by: member,
            after: AuditedWorkshop(
                title: input.title, votesPerPerson: Int(input.votesPerPerson), votesPerIdea: Int(input.votesPerIdea),
                anonymousIdeas: input.anonymousIdeas, guests: input.guestsAllowed, guestLimit: Int(input.guestLimit),
                phaseMinutes: input.phaseMinutes.map(Int.init)),
            on: connection)
        try await Self.announce(id, on: connection)
        return CreatedWorkshop(id: id, joinCode: code, joinPath: "/w/\(code)", phase: .gathering)
    }

    struct AuditedWorkshop: Encodable, Sendable {
        let title: String
        let votesPerPerson: Int
        let votesPerIdea: Int
        let anonymousIdeas: Bool
        let guests: Bool
        let guestLimit: Int
        let phaseMinutes: Int?
    }

    static func newCode() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<6).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }

    private struct ResolvedFocus {
        var catalogue: UUID? = nil
        var goal: UUID? = nil
        var procurement: UUID? = nil
    }

    /// An organisation goal, a procurement, or a published national goal of the catalogue.
    private func resolveFocus(_ id: UUID?, on connection: TenantConnection) async throws -> ResolvedFocus {
        guard let id else { return ResolvedFocus() }
        if try await connection.query("SELECT 1 FROM goals WHERE id = \(id) AND level = 'organisation'").single() != nil {
            return ResolvedFocus(goal: id)
        }
        if try await connection.query("SELECT 1 FROM procurements WHERE id = \(id)").single() != nil {
            return ResolvedFocus(procurement: id)
        }
        if try await connection.query(
            """
            SELECT 1 FROM \(schema: platform).catalogue_goals g
            JOIN \(schema: platform).catalogue_versions v ON v.version = g.version AND v.status = 'published' WHERE g.id = \(id)
            """
        ).single() != nil {
            return ResolvedFocus(catalogue: id)
        }
        throw LuotsiError.unknownReference(field: "focus", what: "\(id) is neither an organisation goal, a procurement nor a national goal")
    }

    /// What a new workshop can be about: the organisation goals still in play, and the procurements.
    public struct FocusChoice: Sendable {
        public let id: UUID
        public let title: String
        public let kind: WorkshopBoard.Focus.Kind
    }

    public func focusChoices(on connection: TenantConnection) async throws -> [FocusChoice] {
        try await connection.query(
            """
            (SELECT id, title, 'goal' AS kind FROM goals WHERE level = 'organisation' AND status NOT IN ('rejected', 'dropped')
             ORDER BY title LIMIT 200)
            UNION ALL (SELECT id, title, 'procurement' AS kind FROM procurements ORDER BY title LIMIT 200)
            """
        ).map { row in
            let kind: String = try row.decode("kind")
            return FocusChoice(id: try row.decode("id"), title: try row.decode("title"), kind: kind == "goal" ? .goal : .procurement)
        }
    }

    /// The organisation's workshops, newest first.
    public func list(on connection: TenantConnection) async throws -> [WorkshopSummary] {
        try await connection.query(
            """
            SELECT w.id, w.title, w.join_code, w.phase, u.name AS facilitator_name, w.created_at, w.closed_at,
                   (SELECT count(*) FROM workshop_ideas i WHERE i.workshop_id = w.id AND i.merged_into IS NULL) AS ideas,
                   (SELECT count(*) FROM workshop_participants p WHERE p.workshop_id = w.id) AS participants
            FROM workshops w JOIN users u ON u.id = w.facilitator_id ORDER BY w.seq DESC LIMIT 200
            """
        ).map { row in
            WorkshopSummary(
                id: try row.decode("id"), title: try row.decode("title"), joinCode: try row.decode("join_code"),
                phase: try Self.phase(row), facilitatorName: try row.decode("facilitator_name"), ideas: try row.decode("ideas"),
                participants: try row.decode("participants"), createdAt: try row.decode("created_at"), closedAt: try row.decode("closed_at")
            )
        }
    }

    /// The workshop a join code names in this organisation, if any.
    public func id(ofCode code: String, on connection: TenantConnection) async throws -> UUID? {
        try await connection.query("SELECT id FROM workshops WHERE join_code = \(code)").single()?.decode("id")
    }

    // MARK: - The board

    /// The board with everyone's votes, read in one round trip: the live view reads it once per
    /// change and shows it to each of its viewers.
    public struct State: Sendable {
        public var board: WorkshopBoard
        /// Participant → idea → votes.
        let votes: [UUID: [UUID: Int]]

        /// The board as `actor` sees it, with their own votes and what is left.
        public func seen(by actor: WorkshopActor?) -> WorkshopBoard {
            var board = board
            guard let actor else { return board }
            let participant: WorkshopBoard.Participant?
            let facilitates: Bool
            switch actor {
            case .member(let member):
                participant = board.participants.first { $0.userId == member.id }
                facilitates = WorkshopRepository.facilitates(member, board)
            case .guest(let guest):
                participant = board.participants.first { $0.id == guest.participantID }
                facilitates = false
            }
            let own = participant.flatMap { votes[$0.id] } ?? [:]
            let used = own.values.reduce(0, +)
            board.you = WorkshopBoard.You(
                participantId: participant?.id, name: actor.displayName, guest: participant?.guest ?? false, facilitates: facilitates,
                votesLeft: max(0, board.votesPerPerson - used),
                votes: Dictionary(uniqueKeysWithValues: own.map { ($0.key.uuidString.lowercased(), $0.value) }))
            return board
        }
    }

    /// The facilitator runs it; those who may take over any workshop (management) too.
    static func facilitates(_ member: Identity.Member, _ board: WorkshopBoard) -> Bool {
        board.facilitatorId == member.id || Permissions.allows(member, .facilitateAnyWorkshop)
    }

    static func readState(_ id: UUID, platform: SchemaName) -> PipelinedRead<State?> {
        PipelinedRead(statements: [
            """
            SELECT w.id, w.title, w.join_code, w.phase, w.phase_started_at, w.phase_minutes, w.votes_per_person, w.votes_per_idea,
                   w.anonymous_ideas, w.guests_allowed, w.guest_limit, w.facilitator_id, u.name AS facilitator_name, w.created_at,
                   w.closed_at, w.focus_catalogue_id, w.focus_goal_id, w.focus_procurement_id,
                   coalesce((SELECT g.title FROM goals g WHERE g.id = w.focus_goal_id),
                            (SELECT p.title FROM procurements p WHERE p.id = w.focus_procurement_id),
                            (SELECT c.name ->> 'fi' FROM \(schema: platform).catalogue_goals c WHERE c.id = w.focus_catalogue_id)) AS focus_name
            FROM workshops w JOIN users u ON u.id = w.facilitator_id WHERE w.id = \(id)
            """,
            """
            SELECT p.id, p.user_id, coalesce(u.name, p.guest_name) AS name, p.guest_name IS NOT NULL AS guest, p.joined_at
            FROM workshop_participants p LEFT JOIN users u ON u.id = p.user_id WHERE p.workshop_id = \(id) ORDER BY p.joined_at, p.id
            """,
            """
            SELECT i.id, i.text, i.rationale, i.anonymous, coalesce(u.name, p.guest_name) AS author, i.merged_into, i.decision, i.reason,
                   i.goal_id, i.created_at, i.seq,
                   coalesce((SELECT sum(v.votes) FROM workshop_votes v WHERE v.idea_id = i.id), 0)::int AS votes,
                   (SELECT count(*) FROM workshop_votes v WHERE v.idea_id = i.id)::int AS voters
            FROM workshop_ideas i JOIN workshop_participants p ON p.id = i.author_id LEFT JOIN users u ON u.id = p.user_id
            WHERE i.workshop_id = \(id)
            """,
            """
            SELECT v.participant_id, v.idea_id, v.votes FROM workshop_votes v JOIN workshop_ideas i ON i.id = v.idea_id
            WHERE i.workshop_id = \(id)
            """,
        ]) { results in
            guard let row = try results.at(0).single() else { return nil }
            let participants = try results.at(1).map { row in
                WorkshopBoard.Participant(
                    id: try row.decode("id"), name: try row.decode("name"), guest: try row.decode("guest"),
                    userId: try row.decode("user_id"),
                    joinedAt: try row.decode("joined_at"))
            }
            var ideas: [(seq: Int64, idea: WorkshopBoard.Idea)] = []
            for row in try results.at(2) {
                let anonymous: Bool = try row.decode("anonymous")
                let decision: String? = try row.decode("decision")
                ideas.append(
                    (
                        try row.decode("seq"),
                        WorkshopBoard.Idea(
                            id: try row.decode("id"), text: try row.decode("text"), rationale: try row.decode("rationale"),
                            author: anonymous ? nil : try row.decode("author"), votes: try row.decode("votes"),
                            voters: try row.decode("voters"),
                            mergedInto: try row.decode("merged_into"), decision: decision.flatMap(WorkshopDecision.init),
                            reason: try row.decode("reason"), goalId: try row.decode("goal_id"), createdAt: try row.decode("created_at"))
                    ))
            }
            ideas.sort { a, b in
                if (a.idea.mergedInto == nil) != (b.idea.mergedInto == nil) { return a.idea.mergedInto == nil }
                if a.idea.votes != b.idea.votes { return a.idea.votes > b.idea.votes }
                return a.seq < b.seq
            }
            var votes: [UUID: [UUID: Int]] = [:]
            for row in try results.at(3) {
                let participant: UUID = try row.decode("participant_id")
                let idea: UUID = try row.decode("idea_id")
                votes[participant, default: [:]][idea] = try row.decode("votes", as: Int.self)
            }
            let phase = try Self.phase(row)
            let started: Date = try row.decode("phase_started_at")
            let minutes = try row.decode("phase_minutes", as: Int?.self)
            let focus: WorkshopBoard.Focus?
            let focusName: String? = try row.decode("focus_name")
            if let goal: UUID = try row.decode("focus_goal_id") {
                focus = WorkshopBoard.Focus(kind: .goal, id: goal, name: focusName ?? "")
            } else if let procurement: UUID = try row.decode("focus_procurement_id") {
                focus = WorkshopBoard.Focus(kind: .procurement, id: procurement, name: focusName ?? "")
            } else if let catalogue: UUID = try row.decode("focus_catalogue_id") {
                focus = WorkshopBoard.Focus(kind: .catalogue, id: catalogue, name: focusName ?? "")
            } else {
                focus = nil
            }
            let board = WorkshopBoard(
                id: try row.decode("id"), title: try row.decode("title"), joinCode: try row.decode("join_code"), phase: phase,
                phaseStartedAt: started, phaseMinutes: minutes,
                phaseEndsAt: phase == .closed ? nil : minutes.map { started.addingTimeInterval(Double($0) * 60) },
                votesPerPerson: try row.decode("votes_per_person", as: Int.self),
                votesPerIdea: try row.decode("votes_per_idea", as: Int.self), anonymousIdeas: try row.decode("anonymous_ideas"),
                guestsAllowed: try row.decode("guests_allowed"), guestLimit: try row.decode("guest_limit", as: Int.self),
                facilitatorId: try row.decode("facilitator_id"), facilitatorName: try row.decode("facilitator_name"), focus: focus,
                createdAt: try row.decode("created_at"), closedAt: try row.decode("closed_at"), participants: participants,
                ideas: ideas.map(\.idea), you: nil)
            return State(board: board, votes: votes)
        }
    }

    public func state(_ id: UUID, on connection: TenantConnection) async throws -> State {
        guard let state = try await Self.readState(id, platform: platform).read(on: connection) else {
            throw LuotsiError.notFound("workshop")
        }
        return state
    }

    // MARK: - Taking part

    /// The caller's participant row, added on their first contribution (members) — guests have
    /// theirs from joining.
    func participant(for actor: WorkshopActor, in workshop: UUID, on connection: TenantConnection) async throws -> UUID {
        switch actor {
        case .guest(let guest):
            guard guest.workshopID == workshop else { throw LuotsiError.notFound("workshop") }
            return guest.participantID
        case .member(let member):
            return try await participant(for: member, in: workshop, on: connection)
        }
    }

    private func participant(for member: Identity.Member, in workshop: UUID, on connection: TenantConnection) async throws -> UUID {
        if let row = try await connection.query(
            "SELECT id FROM workshop_participants WHERE workshop_id = \(workshop) AND user_id = \(member.id)"
        ).single() {
            return try row.decode("id")
        }
        let row = try await connection.query(
            """
            INSERT INTO workshop_participants (workshop_id, user_id) VALUES (\(workshop), \(member.id))
            ON CONFLICT (workshop_id, user_id) WHERE user_id IS NOT NULL DO UPDATE SET user_id = excluded.user_id RETURNING id
            """
        ).one()
        return try row.decode("id")
    }

    /// Locks the workshop's row against a phase change while the caller's change lands, and
    /// answers its phase and settings.
    private func settings(_ id: UUID, lock: SQL = "FOR SHARE", on connection: TenantConnection) async throws -> Settings {
        guard
            let row = try await connection.query(
                """
                SELECT phase, votes_per_person, votes_per_idea, anonymous_ideas, guests_allowed, guest_limit, facilitator_id
                FROM workshops WHERE id = \(id) \(lock)
                """
            ).single()
        else { throw LuotsiError.notFound("workshop") }
        return Settings(
            phase: try Self.phase(row), votesPerPerson: try row.decode("votes_per_person", as: Int.self),
            votesPerIdea: try row.decode("votes_per_idea", as: Int.self), anonymousIdeas: try row.decode("anonymous_ideas"),
            guestsAllowed: try row.decode("guests_allowed"), guestLimit: try row.decode("guest_limit", as: Int.self),
            facilitatorID: try row.decode("facilitator_id"))
    }

    struct Settings {
        let phase: WorkshopPhase
        let votesPerPerson: Int
        let votesPerIdea: Int
        let anonymousIdeas: Bool
        let guestsAllowed: Bool
        let guestLimit: Int
        let facilitatorID: UUID
    }

    /// A guest is let in while the workshop takes guests and has room: a participant row with
    /// the display name and the hash of the guest's secret (the cookie holds the secret).
    func admitGuest(name: String, secretHash: String, to workshop: UUID, on connection: TenantConnection) async throws -> UUID {
        let name = try TextRules.required(name, field: "name", max: 60)
        let settings = try await settings(workshop, lock: "FOR UPDATE", on: connection)
        guard settings.phase != .closed else { throw LuotsiError.conflict("the workshop has closed") }
        guard settings.guestsAllowed else { throw LuotsiError.forbidden("this workshop takes no guests; sign in to take part") }
        let guests = try await connection.query(
            "SELECT count(*) AS n FROM workshop_participants WHERE workshop_id = \(workshop) AND guest_name IS NOT NULL"
        ).one().decode("n", as: Int.self)
        guard guests < settings.guestLimit else {
            throw LuotsiError.conflict("the workshop is full: \(settings.guestLimit) guests at most")
        }
        let row = try await connection.query(
            """
            INSERT INTO workshop_participants (workshop_id, guest_name, guest_token_hash) VALUES (\(workshop), \(name), \(secretHash))
            RETURNING id
            """
        ).one()
        let id: UUID = try row.decode("id")
        try await connection.query(
            """
            INSERT INTO audit_log (actor_id, actor_email, action, entity, entity_id, after)
            VALUES (NULL, \("guest: " + name), \("workshop.guest_join"), 'workshop', \(workshop), \(try JSONB(encoding: ["participantId": id.uuidString])))
            """)
        try await Self.announce(workshop, on: connection)
        return id
    }

    /// The guest whose secret hashes to `secretHash`, in this workshop, while it is open to them:
    /// once it closes (or stops taking guests) the pass opens nothing.
    func guest(secretHash: String, in workshop: UUID, schema: SchemaName, on connection: TenantConnection) async throws -> WorkshopGuest? {
        guard
            let row = try await connection.query(
                """
                SELECT p.id, p.guest_name FROM workshop_participants p JOIN workshops w ON w.id = p.workshop_id
                WHERE p.workshop_id = \(workshop) AND p.guest_token_hash = \(secretHash) AND w.guests_allowed AND w.phase <> 'closed'
                """
            ).single()
        else { return nil }
        return WorkshopGuest(schema: schema, workshopID: workshop, participantID: try row.decode("id"), name: try row.decode("guest_name"))
    }

    // MARK: - Ideas and votes

    public func addIdea(
        text: String, rationale: String?, anonymous: Bool?, to workshop: UUID, by actor: WorkshopActor, on connection: TenantConnection
    )
        async throws -> UUID
    {
        let text = try TextRules.required(text, field: "text", max: 300)
        let rationale = try TextRules.limited(rationale ?? "", field: "rationale", max: 2000)
        let settings = try await settings(workshop, on: connection)
        guard settings.phase == .gathering else { throw LuotsiError.conflict("ideas are gathered only while the workshop is gathering") }
        if anonymous == true && !settings.anonymousIdeas {
            throw LuotsiError.invalid(field: "anonymous", reason: "this workshop does not take anonymous ideas")
        }
        let author = try await participant(for: actor, in: workshop, on: connection)
        let row = try await connection.query(
            """
            INSERT INTO workshop_ideas (workshop_id, author_id, anonymous, text, rationale)
            VALUES (\(workshop), \(author), \(anonymous ?? false), \(text), \(rationale)) RETURNING id
            """
        ).one()
        let id: UUID = try row.decode("id")
        try await audit("workshop.idea", workshop: workshop, by: actor, after: ["ideaId": id.uuidString, "text": text], on: connection)
        try await Self.announce(workshop, on: connection)
        return id
    }

    /// Places one more vote (`add`) or takes one back. A person's votes are counted under a
    /// lock on their own participant row, so two taps at once never exceed the allowance.
    public func vote(_ add: Bool, on idea: UUID, in workshop: UUID, by actor: WorkshopActor, on connection: TenantConnection) async throws {
        let settings = try await settings(workshop, on: connection)
        guard settings.phase == .voting else { throw LuotsiError.conflict("votes are placed only while the workshop is voting") }
        let participant = try await participant(for: actor, in: workshop, on: connection)
        try await connection.query("SELECT 1 FROM workshop_participants WHERE id = \(participant) FOR UPDATE")
        guard
            try await connection.query(
                "SELECT 1 FROM workshop_ideas WHERE id = \(idea) AND workshop_id = \(workshop) AND merged_into IS NULL"
            ).single() != nil
        else { throw LuotsiError.notFound("idea") }
        let own = try await connection.query(
            """
            SELECT coalesce(sum(votes), 0)::int AS used, coalesce(sum(votes) FILTER (WHERE idea_id = \(idea)), 0)::int AS here
            FROM workshop_votes WHERE participant_id = \(participant)
            """
        ).one()
        let used: Int = try own.decode("used")
        let here: Int = try own.decode("here")
        if add {
            guard used < settings.votesPerPerson else {
                throw LuotsiError.conflict("all \(settings.votesPerPerson) of your votes are placed; take one back to vote again")
            }
            guard here < settings.votesPerIdea else {
                throw LuotsiError.conflict(
                    settings.votesPerIdea == 1 ? "you have voted for this idea already" : "at most \(settings.votesPerIdea) votes per idea")
            }
            try await connection.query(
                """
                INSERT INTO workshop_votes (participant_id, idea_id, votes) VALUES (\(participant), \(idea), 1)
                ON CONFLICT (participant_id, idea_id) DO UPDATE SET votes = workshop_votes.votes + 1
                """)
        } else {
            guard here > 0 else { throw LuotsiError.conflict("you have no vote on this idea to take back") }
            try await connection.query(
                here == 1
                    ? "DELETE FROM workshop_votes WHERE participant_id = \(participant) AND idea_id = \(idea)"
                    : "UPDATE workshop_votes SET votes = votes - 1 WHERE participant_id = \(participant) AND idea_id = \(idea)")
        }
        try await audit(
            add ? "workshop.vote" : "workshop.unvote", workshop: workshop, by: actor, after: ["ideaId": idea.uuidString], on: connection)
        try await Self.announce(workshop, on: connection)
    }

    // MARK: - The facilitator's moves

    /// Moves the workshop one phase on, or one back (not out of closed). Closing turns the
    /// ideas into goals in the same transaction (`WorkshopClosing`).
    public func setPhase(
        _ target: WorkshopPhase, of workshop: UUID, by member: Identity.Member, goals: GoalRepository, on connection: TenantConnection
    )
        async throws
    {
        let settings = try await settings(workshop, lock: "FOR UPDATE", on: connection)
        try requireFacilitator(member, settings)
        guard target != settings.phase else { return }
        guard target == settings.phase.next || target == settings.phase.previous else {
            throw LuotsiError.conflict(
                "a workshop moves one phase at a time: from \(settings.phase.rawValue) to \(settings.phase.next?.rawValue ?? "nowhere")")
        }
        if target == .closed {
            try await WorkshopClosing(goals: goals).close(workshop, by: member, on: connection)
        }
        try await connection.query(
            """
            UPDATE workshops SET phase = \(target.rawValue), phase_started_at = now(),
                   closed_at = CASE WHEN \(target.rawValue) = 'closed' THEN now() END
            WHERE id = \(workshop)
            """)
        try await AuditLog.record(
            "workshop.phase", entity: "workshop", id: workshop, by: member, before: ["phase": settings.phase.rawValue],
            after: ["phase": target.rawValue], on: connection)
        try await Self.announce(workshop, on: connection)
    }

    /// Merges a duplicate into another idea: its votes move over (a person's votes on both
    /// are capped at the per-idea allowance, and the rest given back), and it leaves the board.
    public func merge(_ idea: UUID, into target: UUID, in workshop: UUID, by member: Identity.Member, on connection: TenantConnection)
        async throws
    {
        let settings = try await settings(workshop, lock: "FOR UPDATE", on: connection)
        try requireFacilitator(member, settings)
        guard settings.phase == .gathering || settings.phase == .voting else {
            throw LuotsiError.conflict("ideas are merged while gathering or voting")
        }
        guard idea != target else { throw LuotsiError.invalid(field: "into", reason: "an idea cannot be merged into itself") }
        let standing = try await connection.query(
            "SELECT id FROM workshop_ideas WHERE workshop_id = \(workshop) AND merged_into IS NULL AND id IN (\(idea), \(target)) FOR UPDATE"
        ).count
        guard standing == 2 else { throw LuotsiError.notFound("idea (both must be on this workshop's board, neither merged)") }
        try await connection.query(
            """
            INSERT INTO workshop_votes (participant_id, idea_id, votes)
            SELECT participant_id, \(target), least(votes, \(Int16(settings.votesPerIdea))) FROM workshop_votes WHERE idea_id = \(idea)
            ON CONFLICT (participant_id, idea_id) DO UPDATE
            SET votes = least(workshop_votes.votes + excluded.votes, \(Int16(settings.votesPerIdea)))
            """)
        try await connection.query("DELETE FROM workshop_votes WHERE idea_id = \(idea)")
        try await connection.query("UPDATE workshop_ideas SET merged_into = \(target) WHERE id = \(idea) OR merged_into = \(idea)")
        try await AuditLog.record(
            "workshop.merge", entity: "workshop", id: workshop, by: member, after: ["ideaId": idea.uuidString, "into": target.uuidString],
            on: connection)
        try await Self.announce(workshop, on: connection)
    }

    /// Shortlists or rejects an idea, with a reason, while deciding; a decision may be changed
    /// until the workshop closes.
    public func decide(
        _ idea: UUID, _ decision: WorkshopDecision, reason: String, in workshop: UUID, by member: Identity.Member,
        on connection: TenantConnection
    ) async throws {
        let reason = try TextRules.required(reason, field: "reason", max: 5000)
        let settings = try await settings(workshop, lock: "FOR UPDATE", on: connection)
        try requireFacilitator(member, settings)
        guard Permissions.allows(member, .siftGoal) else { throw LuotsiError.forbidden("only those who sift ideas decide on them") }
        guard settings.phase == .deciding else { throw LuotsiError.conflict("ideas are decided while the workshop is deciding") }
        let changed = try await connection.query(
            """
            UPDATE workshop_ideas SET decision = \(decision.rawValue), reason = \(reason), decided_by = \(member.id)
            WHERE id = \(idea) AND workshop_id = \(workshop) AND merged_into IS NULL
            """
        ).affectedRows
        guard changed == 1 else { throw LuotsiError.notFound("idea") }
        try await AuditLog.record(
            "workshop.decide", entity: "workshop", id: workshop, by: member,
            after: ["ideaId": idea.uuidString, "decision": decision.rawValue, "reason": reason], on: connection)
        try await Self.announce(workshop, on: connection)
    }

    private func requireFacilitator(_ member: Identity.Member, _ settings: Settings) throws {
        guard settings.facilitatorID == member.id || Permissions.allows(member, .facilitateAnyWorkshop) else {
            throw LuotsiError.forbidden("only the workshop's facilitator (or management) does this")
        }
    }

    // MARK: - Helpers

    /// Records a participant's change: a member as themselves, a guest by display name.
    private func audit(_ action: String, workshop: UUID, by actor: WorkshopActor, after: [String: String], on connection: TenantConnection)
        async throws
    {
        switch actor {
        case .member(let member):
            try await AuditLog.record(action, entity: "workshop", id: workshop, by: member, after: after, on: connection)
        case .guest(let guest):
            var after = after
            after["participantId"] = guest.participantID.uuidString
            try await connection.query(
                """
                INSERT INTO audit_log (actor_id, actor_email, action, entity, entity_id, after)
                VALUES (NULL, \("guest: " + guest.name), \(action), 'workshop', \(workshop), \(try JSONB(encoding: after)))
                """)
        }
    }

    /// Announced at commit (NOTIFY is transactional): nobody refreshes to a change that rolled back.
    static func announce(_ workshop: UUID, on connection: TenantConnection) async throws {
        try await connection.query("SELECT pg_notify(\(channel), current_schema() || ':' || \(workshop.uuidString.lowercased()))")
    }

    static func phase(_ row: PostgresRow) throws -> WorkshopPhase {
        let text: String = try row.decode("phase")
        guard let phase = WorkshopPhase(rawValue: text) else {
            throw PostgresError(kind: .decoding, message: "unknown workshop phase \(text)")
        }
        return phase
    }
}
