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
    /// A pooled connection that has served more organisations than this is replaced: its
    /// backend keeps every touched organisation's catalogue entries (≈ 0.13 MB each) for life.
    public let organisationsPerConnection: Int

    /// `organisationsPerConnection`: `LUOTSI_DB_ORGS_PER_CONNECTION` in `serve`.
    public init(pool: PostgresPool, organisationsPerConnection: Int = 2000) {
        self.pool = pool
        self.organisationsPerConnection = max(1, organisationsPerConnection)
    }

    /// `role` is the organisation's own unless a test runs with the application's check off.
    ///
    /// `BEGIN` and the switch travel with the body's first statement: no round trip of their own.
    ///
    /// A backend may refuse the switch into an organisation created a moment ago: PostgreSQL 15
    /// caches each backend's role memberships and can keep a list computed while the new
    /// membership's invalidation arrived, until the next role change anywhere. Only a new
    /// backend is sure to see it, so such a connection is retired and the transaction (which
    /// has done nothing yet) starts again on another, at most once per pooled connection.
    public func withTenant<T: Sendable>(_ schema: SchemaName, role: SchemaName? = nil, _ body: (TenantConnection) async throws -> T)
        async throws -> T
    {
        try await pool.withTransaction(
            prelude: [TenantDatabase.enter(schema, role: role)], retryPrelude: TenantDatabase.retireIfStale
        ) { connection in
            try await body(TenantConnection(schema: schema, connection))
        }
    }

    /// Reads as the organisation: every round trip of `body` carries the switch and is its own
    /// read-only implicit transaction, so a read model sent as one pipeline costs one round trip
    /// in all. Under READ COMMITTED each statement sees its own snapshot either way.
    public func read<T: Sendable>(_ schema: SchemaName, role: SchemaName? = nil, _ body: (TenantConnection) async throws -> T)
        async throws -> T
    {
        try await pool.withEveryRoundTrip(
            prelude: [TenantDatabase.enter(schema, role: role, readOnly: true)], affinity: schema.rawValue,
            retryPrelude: TenantDatabase.retireIfStale
        ) { connection in
            connection.noteTenant(schema.rawValue, bound: organisationsPerConnection)
            return try await body(TenantConnection(schema: schema, connection))
        }
    }

    /// The statement that switches the current transaction to the organisation's schema and role.
    static func enter(_ schema: SchemaName, role: SchemaName? = nil, readOnly: Bool = false) -> SQL {
        // A schema name is [a-z0-9_] by construction, so quoting it is only wrapping it.
        let searchPath = "\"\(schema.rawValue)\""
        let readOnlySetting: SQL = readOnly ? ", set_config('transaction_read_only', 'on', true)" : ""
        return "SELECT set_config('search_path', \(searchPath), true), set_config('role', \((role ?? schema).rawValue), true)"
            + readOnlySetting
    }

    /// Switches the current transaction to the organisation's schema and role, for the rest of
    /// it: e.g. creating an organisation, whose first user is written in the same transaction.
    static func enter(_ schema: SchemaName, role: SchemaName? = nil, on connection: PostgresConnection) async throws -> TenantConnection {
        try await connection.query(enter(schema, role: role))
        return TenantConnection(schema: schema, connection)
    }

    private static func retireIfStale(_ error: PostgresError, _ connection: PostgresConnection) -> Bool {
        guard error.isRoleSwitchRefused else { return false }
        connection.retire()
        staleMemberships.increment()
        return true
    }

    /// Counts role switches refused by a backend with a stale membership cache (each retried).
    static let staleMemberships = Counter(label: "luotsi_stale_role_membership_retries_total")
}

/// A connection inside one organisation's transaction (or read), with its schema and role in
/// force. Only `TenantDatabase` makes one, so code that takes a `TenantConnection` cannot be
/// handed a connection outside an organisation, nor run in the wrong one's.
public struct TenantConnection: PostgresQuerying {
    /// The organisation's schema, in force for every statement sent through this connection.
    public let schema: SchemaName
    private let connection: PostgresConnection

    fileprivate init(schema: SchemaName, _ connection: PostgresConnection) {
        self.schema = schema
        self.connection = connection
    }

    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows { try await connection.query(sql) }

    public func pipeline(_ statements: [SQL]) async throws -> [PostgresRows] { try await connection.pipeline(statements) }
}

extension PostgresError {
    /// `permission denied to set role`: SQLSTATE 42501 from the role switch.
    var isRoleSwitchRefused: Bool { sqlState == "42501" && message.contains("set role") }
}
