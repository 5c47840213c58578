import Foundation
import Postgres

/// The organisation's audit trail. Every write records itself here in the same transaction,
/// so a change and its record stand or fall together.
public enum AuditLog {
    /// Records `action` on an entity; `before`/`after` are short JSON summaries.
    public static func record(
        _ action: String, entity: String, id: UUID?, by actor: Identity.Member, before: (any Encodable & Sendable)? = nil,
        after: (any Encodable & Sendable)? = nil, on connection: TenantConnection
    ) async throws {
        try await connection.query(try insert(action, entity: entity, id: id, by: actor, before: before, after: after))
    }

    /// The `INSERT` of one entry, for a write that records its audit row in its own statement.
    static func insert(
        _ action: String, entity: String, id: UUID?, by actor: Identity.Member, before: (any Encodable & Sendable)? = nil,
        after: (any Encodable & Sendable)? = nil
    ) throws -> SQL {
        let beforeJSON = try before.map { try JSONB(encoding: AnyEncodable($0)) }
        let afterJSON = try after.map { try JSONB(encoding: AnyEncodable($0)) }
        return """
            INSERT INTO audit_log (actor_id, actor_email, action, entity, entity_id, before, after)
            VALUES (\(actor.id), \(actor.email), \(action), \(entity), \(id), \(beforeJSON), \(afterJSON))
            """
    }

    /// One entry as `GET …/audit` shows it.
    public struct Entry: Codable, Sendable {
        public let id: UUID
        public let at: Date
        public let actorId: UUID?
        public let actorEmail: String
        public let action: String
        public let entity: String
        public let entityId: UUID?
        public let before: JSONValue?
        public let after: JSONValue?
    }

    /// Newest first, optionally for one entity type or one entity.
    public static func list(entity: String?, entityID: UUID?, page: PageRequest, on connection: TenantConnection) async throws -> Page<
        Entry
    > {
        let after = page.after == 0 ? Int64.max : page.after
        let rows = try await connection.query(
            """
            SELECT seq, id, at, actor_id, actor_email, action, entity, entity_id, before, after FROM audit_log
            WHERE seq < \(after) AND (\(entity)::text IS NULL OR entity = \(entity)) AND (\(entityID)::uuid IS NULL OR entity_id = \(entityID))
            ORDER BY seq DESC LIMIT \(page.limit + 1)
            """)
        return page.page(
            try rows.map { row in
                (
                    try row.decode("seq", as: Int64.self),
                    Entry(
                        id: try row.decode("id"), at: try row.decode("at"), actorId: try row.decode("actor_id"),
                        actorEmail: try row.decode("actor_email"), action: try row.decode("action"), entity: try row.decode("entity"),
                        entityId: try row.decode("entity_id"),
                        before: try row.decode("before", as: JSONB?.self).map { try $0.decode(JSONValue.self) },
                        after: try row.decode("after", as: JSONB?.self).map { try $0.decode(JSONValue.self) })
                )
            })
    }
}

/// Type erasure so heterogeneous summaries can be encoded.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// Any JSON value, for passing stored JSON through.
public indirect enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
