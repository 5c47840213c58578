import Foundation
import Postgres

/// The platform's list of organisations: creating one creates its schema, its database role
/// and its first management user, all in one transaction.
public struct OrganisationRepository: Sendable {
    public let pool: PostgresPool
    public let migrator: Migrator

    /// Organisations created (or served) on one pooled connection before it is replaced.
    static let creationsPerConnection = 100

    public init(pool: PostgresPool, migrator: Migrator) {
        self.pool = pool
        self.migrator = migrator
    }

    /// Creates an organisation; with `management`, also its first management user. Recorded in the
    /// platform audit log, in the same transaction. `fill` runs last in that transaction, as the
    /// application's own role, with the new schema migrated (an import fills it so).
    public func create(
        slug: String, name: String, management: NewUser?, by actor: PlatformActor = .commandLine, action: String = "organisation.create",
        fill: (@Sendable (SchemaName, PostgresConnection) async throws -> Void)? = nil
    ) async throws
        -> Organisation
    {
        try Organisation.validate(slug: slug)
        let name = try Organisation.validate(name: name)
        let management = try management?.validated()
        let passwordHash = if let management { await PasswordHasher.hash(management.password) } else { nil as String? }
        let schema = SchemaName.generate(for: slug)
        let platform = migrator.platformSchema
        return try await pool.withTransaction { connection in
            let rows: PostgresRows
            do {
                rows = try await connection.query(
                    """
                    INSERT INTO \(schema: platform).organisations (slug, name, schema_name)
                    VALUES (\(slug), \(name), \(schema.rawValue))
                    RETURNING id, slug, name, schema_name, status, created_at
                    """)
            } catch let error as PostgresError where error.isUniqueViolation {
                throw LuotsiError.conflict("an organisation with slug \(slug) already exists")
            }
            // Recorded before the transaction switches into the new organisation's role.
            try await PlatformAudit.record(
                action, target: slug, detail: ["name": name, "management": management?.email ?? ""], by: actor,
                platform: migrator.platformSchema, on: connection)
            let role = schema  // the organisation's role has its schema's name
            try await connection.query("CREATE ROLE \(schema: role) NOLOGIN")
            try await connection.query("GRANT luotsi_tenant TO \(schema: role)")
            // PostgreSQL 15 does not make the creator a member; the app must be able to switch in.
            try await connection.query("GRANT \(schema: role) TO CURRENT_USER")
            try await connection.query("CREATE SCHEMA \(schema: schema)")
            try await migrator.provisionTenant(schema, on: connection)
            // The backend keeps every relation it created in its caches, and each other
            // backend's schema changes are checked against them: past a few hundred
            // organisations on one connection, creating the next took several times as long
            // (BENCHMARKS.md). A fresh backend every `creationsPerConnection` keeps it flat.
            connection.noteTenant(schema.rawValue, bound: Self.creationsPerConnection)
            try await fill?(schema, connection)
            if let management, let passwordHash {
                let organisation = try await TenantDatabase.enter(schema, on: connection)
                _ = try await UserRepository.insert(management, role: .management, passwordHash: passwordHash, on: organisation)
            }
            guard let row = try rows.single() else { throw LuotsiError.notFound("organisation") }
            return try Self.organisation(from: row)
        }
    }

    public func list() async throws -> [Organisation] {
        try await pool.query(
            "SELECT id, slug, name, schema_name, status, created_at FROM \(schema: migrator.platformSchema).organisations ORDER BY slug"
        ).map(Self.organisation)
    }

    /// The organisation with this slug, or a not-found error.
    public func find(slug: String) async throws -> Organisation {
        let rows = try await pool.query(
            "SELECT id, slug, name, schema_name, status, created_at FROM \(schema: migrator.platformSchema).organisations WHERE slug = \(slug)"
        )
        guard let row = try rows.single() else { throw LuotsiError.notFound("organisation \(slug)") }
        return try Self.organisation(from: row)
    }

    /// Suspends or reactivates; a suspended organisation's users cannot sign in. Nothing is deleted.
    @discardableResult
    public func setStatus(slug: String, _ status: Organisation.Status, by actor: PlatformActor = .commandLine) async throws -> Organisation
    {
        let platform = migrator.platformSchema
        return try await pool.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE \(schema: platform).organisations
                SET status = \(status.rawValue), status_changed_at = now()
                WHERE slug = \(slug)
                RETURNING id, slug, name, schema_name, status, created_at
                """)
            guard let row = try rows.single() else { throw LuotsiError.notFound("organisation \(slug)") }
            try await PlatformAudit.record(
                status == .suspended ? "organisation.suspend" : "organisation.reactivate", target: slug, by: actor,
                platform: migrator.platformSchema, on: connection)
            if status == .suspended {
                let organisation = try Self.organisation(from: row)
                try await connection.query(
                    "UPDATE \(schema: platform).sessions SET revoked_at = now() WHERE organisation_id = \(organisation.id) AND revoked_at IS NULL"
                )
            }
            return try Self.organisation(from: row)
        }
    }

    /// Removes an organisation with all its data, schema and role. For test clean-up and
    /// operator use only; the product itself only suspends.
    public func destroy(slug: String) async throws {
        let organisation = try await find(slug: slug)
        let platform = migrator.platformSchema
        try await pool.withTransaction { connection in
            try await connection.query("DROP SCHEMA \(schema: organisation.schema) CASCADE")
            try await connection.query("DELETE FROM \(schema: platform).organisations WHERE id = \(organisation.id)")
            try await connection.query(
                "DELETE FROM \(schema: platform).tenant_migrations WHERE schema_name = \(organisation.schema.rawValue)")
            try await connection.query("DELETE FROM \(schema: platform).workshop_codes WHERE schema_name = \(organisation.schema.rawValue)")
            try await connection.query("DROP ROLE \(schema: organisation.schema)")
        }
    }

    static func organisation(from row: PostgresRow) throws -> Organisation {
        let schemaText: String = try row.decode("schema_name")
        let statusText: String = try row.decode("status")
        guard let schema = SchemaName(schemaText), let status = Organisation.Status(rawValue: statusText) else {
            throw PostgresError(kind: .decoding, message: "invalid organisation row")
        }
        return Organisation(
            id: try row.decode("id"), slug: try row.decode("slug"), name: try row.decode("name"),
            schema: schema, status: status, createdAt: try row.decode("created_at"))
    }
}
