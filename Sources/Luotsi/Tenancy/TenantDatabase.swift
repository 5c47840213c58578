import Metrics
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
    ///
    /// A backend may refuse the switch into an organisation created a moment ago: PostgreSQL 15
    /// caches each backend's role memberships and can keep a list computed while the new
    /// membership's invalidation arrived, until the next role change anywhere. Only a new
    /// backend is sure to see it, so such a connection is retired and the transaction (which
    /// has done nothing yet) starts again on another, at most once per pooled connection.
    public func withTenant<T: Sendable>(_ schema: SchemaName, role: SchemaName? = nil, _ body: (PostgresConnection) async throws -> T)
        async throws -> T
    {
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await pool.withTransaction { connection in
                    do {
                        try await TenantDatabase.enter(schema, role: role, on: connection)
                    } catch let error as PostgresError where error.isRoleSwitchRefused {
                        connection.retire()
                        throw StaleRoleMembership(error: error)
                    }
                    return try await body(connection)
                }
            } catch let stale as StaleRoleMembership {
                TenantDatabase.staleMemberships.increment()
                guard attempts <= pool.configuration.maxConnections else { throw stale.error }
            }
        }
    }

    /// Switches the current transaction to the organisation's schema and role.
    static func enter(_ schema: SchemaName, role: SchemaName? = nil, on connection: PostgresConnection) async throws {
        let searchPath = try await connection.quoteIdentifier(schema.rawValue)
        try await connection.query(
            "SELECT set_config('search_path', \(searchPath), true), set_config('role', \((role ?? schema).rawValue), true)")
    }

    /// Counts role switches refused by a backend with a stale membership cache (each retried).
    static let staleMemberships = Counter(label: "luotsi_stale_role_membership_retries_total")
}

private struct StaleRoleMembership: Error {
    let error: PostgresError
}

extension PostgresError {
    /// `permission denied to set role`: SQLSTATE 42501 from the role switch.
    var isRoleSwitchRefused: Bool { sqlState == "42501" && message.contains("set role") }
}
