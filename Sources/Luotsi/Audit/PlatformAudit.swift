import Foundation
import Postgres

/// Who acted on the platform: a signed-in platform administrator, or the command line.
public enum PlatformActor: Sendable {
    case admin(Identity.PlatformAdmin)
    case commandLine

    var id: UUID? { if case .admin(let admin) = self { admin.id } else { nil } }
    var email: String { if case .admin(let admin) = self { admin.email } else { "(command line)" } }
}

/// The platform's audit trail (`platform_audit_log`), written in the transaction of the change.
public enum PlatformAudit {
    public struct Entry: Codable, Sendable {
        public let at: Date
        public let actorId: UUID?
        public let actorEmail: String
        public let action: String
        public let target: String?
        public let detail: JSONValue?
    }

    static func record(
        _ action: String, target: String?, detail: (any Encodable & Sendable)? = nil, by actor: PlatformActor, platform: SchemaName,
        on connection: PostgresConnection
    ) async throws {
        let json = try detail.map { try JSONB(encoding: AnyEncodable($0)) }
        try await connection.query(
            """
            INSERT INTO \(schema: platform).platform_audit_log (actor_id, actor_email, action, target, detail)
            VALUES (\(actor.id), \(actor.email), \(action), \(target), \(json))
            """)
    }

    /// Newest first, a page at a time.
    public static func list(page: PageRequest, platform: SchemaName, pool: PostgresPool) async throws -> Page<Entry> {
        let after = page.after == 0 ? Int64.max : page.after
        let rows = try await pool.query(
            """
            SELECT seq, at, actor_id, actor_email, action, target, detail FROM \(schema: platform).platform_audit_log
            WHERE seq < \(after) ORDER BY seq DESC LIMIT \(page.limit + 1)
            """)
        let entries = try rows.map { row in
            (
                try row.decode("seq", as: Int64.self),
                Entry(
                    at: try row.decode("at"), actorId: try row.decode("actor_id"), actorEmail: try row.decode("actor_email"),
                    action: try row.decode("action"), target: try row.decode("target"),
                    detail: try row.decode("detail", as: JSONB?.self).map { try $0.decode(JSONValue.self) })
            )
        }
        return page.page(entries)
    }
}
