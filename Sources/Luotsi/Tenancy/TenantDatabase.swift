import Postgres

/// Runs an organisation's work inside one transaction that first switches to the
/// organisation's schema and database role, transaction-locally.
///
/// `set_config(..., true)` and the role switch end with the transaction, so a pooled connection
/// never carries a tenant into the next request (and PgBouncer transaction pooling is safe).
/// PostgreSQL itself then refuses any statement that strays into another organisation's schema.
public struct TenantDatabase: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) { self.pool = pool }

    /// `role` is the organisation's own unless a test runs with the application's check off.
    public func withTenant<T: Sendable>(_ schema: SchemaName, role: SchemaName? = nil, _ body: (PostgresConnection) async throws -> T)
        async throws -> T
    {
        try await pool.withTransaction { connection in
            try await TenantDatabase.enter(schema, role: role, on: connection)
            return try await body(connection)
        }
    }

    /// Switches the current transaction to the organisation's schema and role.
    static func enter(_ schema: SchemaName, role: SchemaName? = nil, on connection: PostgresConnection) async throws {
        let searchPath = try await connection.quoteIdentifier(schema.rawValue)
        try await connection.query(
            "SELECT set_config('search_path', \(searchPath), true), set_config('role', \((role ?? schema).rawValue), true)")
    }
}
