import Foundation
import Postgres

/// Comments on goals and support for them: open to every member of the organisation.
public struct GoalDiscussion: Sendable {
    public struct Comment: Codable, Sendable {
        public let id: UUID
        public let goalId: UUID
        public let authorId: UUID
        public let authorName: String
        public let text: String
        public let createdAt: Date
    }

    public struct Support: Codable, Sendable {
        public let supportCount: Int
        public let supportedByMe: Bool
    }

    public init() {}

    public func comments(on goalID: UUID, page: PageRequest, on connection: TenantConnection) async throws -> Page<Comment> {
        try await requireGoal(goalID, on: connection)
        let rows = try await connection.query(
            """
            SELECT c.seq, c.id, c.goal_id, c.author_id, u.name, c.text, c.created_at
            FROM goal_comments c JOIN users u ON u.id = c.author_id
            WHERE c.goal_id = \(goalID) AND c.seq > \(page.after) ORDER BY c.seq LIMIT \(page.limit + 1)
            """)
        return page.page(try rows.map { (try $0.decode("seq", as: Int64.self), try Self.comment(from: $0)) })
    }

    /// A goal's first `limit` comments, oldest first: for a page that reads them with the goal in one pipeline.
    static func readComments(goal: UUID, limit: Int) -> PipelinedRead<[Comment]> {
        PipelinedRead(statements: [
            """
            SELECT c.seq, c.id, c.goal_id, c.author_id, u.name, c.text, c.created_at
            FROM goal_comments c JOIN users u ON u.id = c.author_id
            WHERE c.goal_id = \(goal) ORDER BY c.seq LIMIT \(Int32(limit))
            """
        ]) { results in try results.at(0).map(Self.comment) }
    }

    public func addComment(_ input: CommentInput, on goalID: UUID, by actor: Identity.Member, on connection: TenantConnection)
        async throws -> Comment
    {
        try await requireGoal(goalID, on: connection)
        let text = try TextRules.required(input.text, field: "text", max: 5000)
        let row = try await connection.query(
            """
            WITH c AS (INSERT INTO goal_comments (goal_id, author_id, text) VALUES (\(goalID), \(actor.id), \(text)) RETURNING *)
            SELECT c.seq, c.id, c.goal_id, c.author_id, u.name, c.text, c.created_at FROM c JOIN users u ON u.id = c.author_id
            """
        ).one()
        let comment = try Self.comment(from: row)
        try await AuditLog.record(
            "goal.comment", entity: "goal", id: goalID, by: actor, after: ["commentId": comment.id.uuidString], on: connection)
        try await Notifier.discussed(goalID, kind: .ideaComment, by: actor, on: connection)
        return comment
    }

    /// Adds or withdraws the caller's support; both are idempotent.
    public func setSupport(_ supported: Bool, on goalID: UUID, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> Support
    {
        try await requireGoal(goalID, on: connection)
        let changed: Int
        if supported {
            changed = try await connection.query(
                "INSERT INTO goal_supports (goal_id, user_id) VALUES (\(goalID), \(actor.id)) ON CONFLICT DO NOTHING"
            ).affectedRows
        } else {
            changed = try await connection.query("DELETE FROM goal_supports WHERE goal_id = \(goalID) AND user_id = \(actor.id)")
                .affectedRows
        }
        if changed > 0 {
            try await AuditLog.record(supported ? "goal.support" : "goal.unsupport", entity: "goal", id: goalID, by: actor, on: connection)
            if supported { try await Notifier.discussed(goalID, kind: .ideaSupport, by: actor, on: connection) }
        }
        let count = try await connection.query("SELECT count(*) AS n FROM goal_supports WHERE goal_id = \(goalID)").one().decode(
            "n", as: Int.self)
        return Support(supportCount: count, supportedByMe: supported)
    }

    private func requireGoal(_ id: UUID, on connection: TenantConnection) async throws {
        guard try await connection.query("SELECT 1 FROM goals WHERE id = \(id)").single() != nil else { throw LuotsiError.notFound("goal") }
    }

    static func comment(from row: PostgresRow) throws -> Comment {
        Comment(
            id: try row.decode("id"), goalId: try row.decode("goal_id"), authorId: try row.decode("author_id"),
            authorName: try row.decode("name"),
            text: try row.decode("text"), createdAt: try row.decode("created_at"))
    }
}
