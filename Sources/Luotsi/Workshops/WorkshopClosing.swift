import Foundation
import Postgres

/// Closing a workshop lands its result in the funnel, in the closing transaction: each idea
/// still on the board becomes a goal through the goals' own commands (so each move is recorded,
/// audited and told to its proposer as any other), in status idea, shortlisted or rejected as
/// decided, with the reason. Members who voted for it become its supporters; guests' votes are
/// counted beside them (`goals.guest_supports`); the goal links back to the workshop.
struct WorkshopClosing {
    let goals: GoalRepository

    struct IdeaToLand {
        let id: UUID
        let text: String
        let rationale: String
        let decision: WorkshopDecision?
        let reason: String?
        /// The member who gave it, when they gave it in their own name.
        let authorUser: UUID?
    }

    func close(_ workshop: UUID, by member: Identity.Member, on connection: TenantConnection) async throws {
        guard
            let focus = try await connection.query(
                "SELECT focus_goal_id, focus_catalogue_id, focus_procurement_id FROM workshops WHERE id = \(workshop)"
            ).single()
        else { throw LuotsiError.notFound("workshop") }
        let procurement: UUID? = try focus.decode("focus_procurement_id")
        let alignTo: [UUID] = [try focus.decode("focus_goal_id", as: UUID?.self), try focus.decode("focus_catalogue_id", as: UUID?.self)]
            .compactMap { $0 }
        let ideas = try await connection.query(
            """
            SELECT i.id, i.text, i.rationale, i.decision, i.reason, CASE WHEN i.anonymous THEN NULL ELSE p.user_id END AS author_user
            FROM workshop_ideas i JOIN workshop_participants p ON p.id = i.author_id
            WHERE i.workshop_id = \(workshop) AND i.merged_into IS NULL AND i.goal_id IS NULL ORDER BY i.seq
            """
        ).map { row in
            let decision: String? = try row.decode("decision")
            return IdeaToLand(
                id: try row.decode("id"), text: try row.decode("text"), rationale: try row.decode("rationale"),
                decision: decision.flatMap(WorkshopDecision.init), reason: try row.decode("reason"),
                authorUser: try row.decode("author_user"))
        }
        for idea in ideas {
            let goal = try await goals.create(
                NewGoalInput(
                    title: idea.text, description: idea.rationale, level: procurement == nil ? "organisation" : "procurement",
                    procurementId: procurement, catalogueGoalId: nil, alignsTo: alignTo, priority: nil, themeCode: nil, planYear: nil),
                by: member, on: connection)
            // The idea's own author proposed it (the facilitator only carried it over), so a
            // decision below reaches them as any decision on their idea does.
            try await connection.query(
                """
                UPDATE goals SET workshop_id = \(workshop), created_by = coalesce(\(idea.authorUser), created_by),
                       guest_supports = (SELECT count(*) FROM workshop_votes v JOIN workshop_participants p ON p.id = v.participant_id
                                         WHERE v.idea_id = \(idea.id) AND p.guest_name IS NOT NULL)
                WHERE id = \(goal.id)
                """)
            try await connection.query(
                """
                INSERT INTO goal_supports (goal_id, user_id)
                SELECT \(goal.id), p.user_id FROM workshop_votes v JOIN workshop_participants p ON p.id = v.participant_id
                WHERE v.idea_id = \(idea.id) AND p.user_id IS NOT NULL
                ON CONFLICT DO NOTHING
                """)
            try await connection.query("UPDATE workshop_ideas SET goal_id = \(goal.id) WHERE id = \(idea.id)")
            if let decision = idea.decision {
                _ = try await goals.transition(
                    goal.id, TransitionInput(to: decision.rawValue, reason: idea.reason ?? ""), by: member, on: connection)
            }
        }
        try await AuditLog.record(
            "workshop.close", entity: "workshop", id: workshop, by: member,
            after: [
                "goals": ideas.count, "shortlisted": ideas.count { $0.decision == .shortlisted },
                "rejected": ideas.count { $0.decision == .rejected },
            ],
            on: connection)
    }
}
