import Metrics
import Postgres
import Synchronization

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
    /// Read models between requests, dropped as each organisation's data version moves on.
    public let readCache: ReadModelCache

    /// `organisationsPerConnection`: `LUOTSI_DB_ORGS_PER_CONNECTION` in `serve`.
    public init(pool: PostgresPool, organisationsPerConnection: Int = 2000, readCache: ReadModelCache = ReadModelCache()) {
        self.pool = pool
        self.organisationsPerConnection = max(1, organisationsPerConnection)
        self.readCache = readCache
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
        let (value, closing) = try await pool.withTransaction(
            prelude: [TenantDatabase.enter(schema, role: role)], retryPrelude: TenantDatabase.retireIfStale,
            closingWith: Self.bumpDataVersion
        ) { connection in
            // Writes count as reads do: one long walk over every organisation (the reminder
            // pass) must not grow one backend's caches without bound either.
            connection.noteTenant(schema.rawValue, bound: organisationsPerConnection)
            return try await body(TenantConnection(schema: schema, connection))
        }
        if let row = try closing?.single() {
            let version: Int64 = try row.decode("version")
            readCache.observe(schema, version: version)
            DataVersionToken.written?.record(schema, version)
        }
        return value
    }

    /// Sent with COMMIT: raises the organisation's data version if the transaction wrote
    /// anything, and answers it (`sql/tenant/009_data_version.sql`).
    static let bumpDataVersion: SQL = "SELECT version FROM data_version_bump() AS version"

    /// Reads the model `key` names through the cache: the organisation's entry when it is
    /// current (no round trip), else `body` on the read-only path, with the data version read in
    /// the same round trip ahead of it, and the result kept for the next read.
    /// `key` must name everything the model depends on besides the organisation's data.
    func cachedRead<T: Sendable>(
        _ schema: SchemaName, role: SchemaName? = nil, key: String, _ body: (TenantConnection) async throws -> T
    ) async throws -> T {
        let cacheKey = ReadModelCache.Key(schema: schema, role: role == schema ? nil : role, read: key)
        switch readCache.lookup(cacheKey, as: T.self, floor: DataVersionToken.floor(for: schema)) {
        case .hit(let value):
            return value
        case .miss(nil):
            return try await read(schema, role: role, body)
        case .miss(let ticket?):
            let observer = VersionObserver()
            let value = try await read(schema, role: role, observer: observer, body)
            if let version = observer.version { readCache.store(value, at: version, for: cacheKey, ticket: ticket) }
            return value
        }
    }

    /// Reads as the organisation: every round trip of `body` carries the switch and is its own
    /// read-only implicit transaction, so a read model sent as one pipeline costs one round trip
    /// in all. Under READ COMMITTED each statement sees its own snapshot either way.
    public func read<T: Sendable>(_ schema: SchemaName, role: SchemaName? = nil, _ body: (TenantConnection) async throws -> T)
        async throws -> T
    {
        try await read(schema, role: role, observer: nil, body)
    }

    private func read<T: Sendable>(
        _ schema: SchemaName, role: SchemaName?, observer: VersionObserver?, _ body: (TenantConnection) async throws -> T
    ) async throws -> T {
        try await pool.withEveryRoundTrip(
            prelude: [TenantDatabase.enter(schema, role: role, readOnly: true)], affinity: schema.rawValue,
            retryPrelude: TenantDatabase.retireIfStale
        ) { connection in
            connection.noteTenant(schema.rawValue, bound: organisationsPerConnection)
            return try await body(TenantConnection(schema: schema, connection, observer: observer))
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
    private let observer: VersionObserver?

    fileprivate init(schema: SchemaName, _ connection: PostgresConnection, observer: VersionObserver? = nil) {
        self.schema = schema
        self.connection = connection
        self.observer = observer
    }

    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        guard observer != nil else { return try await connection.query(sql) }
        // A pipeline answers every statement or throws; a missing answer is an error, never a trap.
        guard let rows = try await pipeline([sql]).first else {
            throw PostgresError(kind: .decoding, message: "the pipeline answered no result")
        }
        return rows
    }

    /// With an observer that has not yet seen the data version, the version is read first, in
    /// the same round trip: the statements that follow see data at least that new.
    public func pipeline(_ statements: [SQL]) async throws -> [PostgresRows] {
        guard let observer, !observer.hasObserved else { return try await connection.pipeline(statements) }
        let results = try await connection.pipeline([TenantConnection.readDataVersion] + statements)
        if let row = try results.first?.single() { observer.note(try row.decode("version")) }
        return Array(results.dropFirst())
    }

    static let readDataVersion: SQL = "SELECT version FROM data_version"
}

/// The data version the first round trip of a cached read saw.
final class VersionObserver: Sendable {
    private let seen = Mutex<Int64?>(nil)
    var version: Int64? { seen.withLock { $0 } }
    var hasObserved: Bool { version != nil }
    func note(_ version: Int64) { seen.withLock { $0 = version } }
}

extension PostgresError {
    /// `permission denied to set role`: SQLSTATE 42501 from the role switch.
    var isRoleSwitchRefused: Bool { sqlState == "42501" && message.contains("set role") }
}
