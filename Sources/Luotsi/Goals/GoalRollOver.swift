import Foundation
import Postgres

/// `POST …/goals/rollover`: at year end, the unfinished goals of one plan year move to another.
public struct RollOverInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["from", "to", "reason"]
    public var from: Int
    public var to: Int
    public var reason: String?
}

/// The roll-over, checked: two different plan years, and a reason kept in each goal's history
/// (a default one names the years).
public struct GoalRollOver: Sendable {
    let from: Int
    let to: Int
    let reason: String?

    public init(_ input: RollOverInput) throws {
        from = try GoalValidation.planYear(input.from, field: "from") ?? input.from
        to = try GoalValidation.planYear(input.to, field: "to") ?? input.to
        guard from != to else { throw LuotsiError.invalid(field: "to", reason: "must differ from from") }
        reason = try input.reason.flatMap {
            try TextRules.limited($0, field: "reason", max: 5000).trimmingCharacters(in: TextRules.blanks).nonEmpty
        }
    }

    public struct Result: Codable, Sendable {
        public let from: Int
        public let to: Int
        /// The goals moved: every idea, shortlisted and scheduled goal of `from`.
        public let goalIds: [UUID]
    }
}

extension GoalRepository {
    /// Moves every unfinished goal (idea, shortlisted, scheduled) of one plan year to another, each
    /// with a recorded move and an audit row; achieved, rejected and dropped goals stay in their
    /// year's picture. Running it twice moves nothing the second time.
    public func rollOver(_ rollOver: GoalRollOver, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> GoalRollOver.Result
    {
        let reason = rollOver.reason ?? "rolled over from \(rollOver.from) to \(rollOver.to)"
        let moved = try await connection.query(
            """
            UPDATE goals SET plan_year = \(Int32(rollOver.to)), version = version + 1, updated_at = now()
            WHERE plan_year = \(Int32(rollOver.from)) AND status IN ('idea', 'shortlisted', 'scheduled')
            RETURNING id, status, title
            """)
        var ids: [UUID] = []
        for row in moved {
            let id: UUID = try row.decode("id")
            let status = GoalStatus(rawValue: try row.decode("status")) ?? .idea
            try await recordTransition(id, from: status, to: status, reason: reason, planYear: rollOver.to, by: actor, on: connection)
            try await AuditLog.record(
                "goal.rollover", entity: "goal", id: id, by: actor, before: ["planYear": rollOver.from], after: ["planYear": rollOver.to],
                on: connection)
            try await Notifier.goalChanged(id, by: actor, reason: reason, on: connection)
            ids.append(id)
        }
        return .init(from: rollOver.from, to: rollOver.to, goalIds: ids)
    }
}

extension GoalRepository {
    /// How many unfinished goals (idea, shortlisted, scheduled) each plan year holds: what a
    /// roll-over would move.
    static func countUnfinished() -> PipelinedRead<[Int: Int]> {
        PipelinedRead(statements: [
            "SELECT plan_year, count(*) AS n FROM goals WHERE status IN ('idea', 'shortlisted', 'scheduled') GROUP BY plan_year"
        ]) { results in
            Dictionary(
                try results.at(0).map { (Int(try $0.decode("plan_year", as: Int32.self)), try $0.decode("n", as: Int.self)) },
                uniquingKeysWith: { first, _ in first })
        }
    }
}

extension GoalRepository {
    /// Whether the organisation has any goal at all: a new one is shown where to start.
    static func readHasGoals() -> PipelinedRead<Bool> {
        PipelinedRead(statements: ["SELECT EXISTS (SELECT 1 FROM goals) AS any"]) { results in try results.at(0).one().decode("any") }
    }
}
