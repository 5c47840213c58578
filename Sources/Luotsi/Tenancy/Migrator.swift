import Foundation
import Logging
import Postgres

/// Applies the numbered migrations: the platform schema first, then every organisation's
/// schema, in parallel over a bounded number of pooled connections.
///
/// Each schema records its applied versions and checksums in its own `schema_migrations`
/// table, and the migrator copies them to the platform's `tenant_migrations` in the same
/// transaction, so that a run with nothing to do reads one table rather than 10,000
/// (sql/platform/012). A run holds an advisory lock so two migrators never race; organisation
/// creation takes the same lock in shared mode.
public struct Migrator: Sendable {
    public let pool: PostgresPool
    public let platformSchema: SchemaName
    public let platformMigrations: [Migration]
    public let tenantMigrations: [Migration]
    /// How many tenant schemas migrate at once.
    public let parallelism: Int
    /// Lists the tenant schemas; by default every organisation in the platform schema.
    public let tenantSchemas: @Sendable () async throws -> [SchemaName]
    public let logger: Logger

    public init(
        pool: PostgresPool, platformSchema: SchemaName = .platform, platformMigrations: [Migration],
        tenantMigrations: [Migration], parallelism: Int = 4,
        tenantSchemas: (@Sendable () async throws -> [SchemaName])? = nil,
        logger: Logger = Logger(label: "luotsi.migrate")
    ) {
        self.pool = pool
        self.platformSchema = platformSchema
        self.platformMigrations = platformMigrations
        self.tenantMigrations = tenantMigrations
        self.parallelism = max(1, min(parallelism, pool.configuration.maxConnections - 1))
        self.tenantSchemas =
            tenantSchemas ?? { [pool, platformSchema] in
                try await Migrator.organisationSchemas(pool: pool, platformSchema: platformSchema)
            }
        self.logger = logger
    }

    /// The advisory lock key shared by migrators and organisation creation.
    var lockKey: SQL { "hashtext(\("luotsi.migrate." + platformSchema.rawValue))" }

    /// What a run did.
    public struct Report: Sendable {
        public var platformApplied: [String] = []
        public var tenantsMigrated = 0
        public var tenantsChecked = 0
        public var tenantFilesApplied = 0
    }

    /// Brings every schema up to date. A failing tenant stops the run (others already running
    /// finish their own transactions) and is named in the error; rerunning resumes.
    ///
    /// Which schemas have something to do is decided from the platform's copy of their versions;
    /// `recheck` reads every schema's own table instead (and renews the copy), for when a schema
    /// was restored or changed by hand.
    @discardableResult
    public func migrate(recheck: Bool = false) async throws -> Report {
        // A dedicated connection holds the session lock for the whole run, outside the pool.
        let lockConnection = try await PostgresConnection.connect(conninfo: pool.configuration.conninfo, label: "luotsi.migrate.lock")
        defer { Task { await lockConnection.close() } }
        // Refused rather than only documented: through transaction pooling the session lock
        // below would be taken and released on whichever server connection served each statement.
        if try await TransactionPoolingProbe.isTransactionPooled(probe: lockConnection, conninfo: pool.configuration.conninfo) {
            throw MigrationError.throughTransactionPooling
        }
        // Another run may hold the lock for minutes; waiting for it is not the kind of wait the
        // login role's lock_timeout (sql/platform/008) is there to cut short.
        try await lockConnection.query("SET lock_timeout = 0")
        try await lockConnection.query("SELECT pg_advisory_lock(\(lockKey))")
        var report = Report()
        report.platformApplied = try await pool.withTransaction { connection in
            try await connection.query("CREATE SCHEMA IF NOT EXISTS \(schema: platformSchema)")
            return try await apply(platformMigrations, schema: platformSchema, on: connection)
        }
        let allSchemas = try await tenantSchemas()
        report.tenantsChecked = allSchemas.count
        // Read every organisation's versions from the platform's copy, then open a transaction
        // only for those with something to do: "nothing to migrate" stays quick at 10,000.
        let states = try await recordedTenantVersions(allSchemas, recheck: recheck)
        let schemas = allSchemas.filter { !describe(states[$0] ?? nil, against: tenantMigrations, schema: $0).isEmpty }
        let applied = try await withThrowingTaskGroup(of: Int.self) { group in
            var iterator = schemas.makeIterator()
            var total = 0
            var migrated = 0
            func addNext() {
                guard let schema = iterator.next() else { return }
                group.addTask { try await migrateTenantIfNeeded(schema) }
            }
            for _ in 0..<parallelism { addNext() }
            // On the first failure `next()` throws: no further schema is started.
            while let count = try await group.next() {
                total += count
                if count > 0 { migrated += 1 }
                addNext()
            }
            return (total, migrated)
        }
        report.tenantFilesApplied = applied.0
        report.tenantsMigrated = applied.1
        _ = try? await lockConnection.query("SELECT pg_advisory_unlock(\(lockKey))")
        return report
    }

    /// Problems that keep the server from starting: pending or changed migrations anywhere.
    ///
    /// `allowingNewer` (what `serve` uses): a schema that also has migrations numbered after
    /// this build's last one is fine. That is a rolling upgrade under way: a newer build has
    /// migrated, its migrations only expand (docs/operations.md), and this build keeps serving
    /// until it is replaced. An unknown number *within* this build's range is still a problem,
    /// as is a changed file; `luotsi migrate` never runs over a newer schema.
    public func problems(allowingNewer: Bool = false) async throws -> [String] {
        var problems: [String] = []
        let platformState = try await pool.withTransaction { connection in
            try await appliedVersions(schema: platformSchema, on: connection)
        }
        problems += describe(platformState, against: platformMigrations, schema: platformSchema, allowingNewer: allowingNewer)
        guard platformState != nil else { return problems }
        let schemas = try await tenantSchemas()
        let states = try await tenantVersions(schemas)
        for schema in schemas {
            problems += describe(states[schema] ?? nil, against: tenantMigrations, schema: schema, allowingNewer: allowingNewer)
        }
        return problems
    }

    /// Applies every tenant migration to a new schema inside the caller's transaction (used when
    /// an organisation is created, so creation is all or nothing).
    public func provisionTenant(_ schema: SchemaName, on connection: PostgresConnection) async throws {
        // Creation waits for a running migration however long it takes (as `apply` does below).
        try await connection.query("SELECT set_config('lock_timeout', '0', true), set_config('statement_timeout', '0', true)")
        try await connection.query("SELECT pg_advisory_xact_lock_shared(\(lockKey))")
        _ = try await apply(tenantMigrations, schema: schema, on: connection)
    }

    // MARK: - Internals

    private func migrateTenantIfNeeded(_ schema: SchemaName) async throws -> Int {
        let state = try await pool.withTransaction { try await appliedVersions(schema: schema, on: $0) }
        let problems = describe(state, against: tenantMigrations, schema: schema)
        if problems.isEmpty { return 0 }
        let applied = try await pool.withTransaction { connection in
            try await apply(tenantMigrations, schema: schema, on: connection)
        }
        logger.info("migrated tenant schema", metadata: ["schema": "\(schema)", "files": "\(applied.joined(separator: ","))"])
        return applied.count
    }

    /// Applies what is pending in `schema`, inside the current transaction; returns file names.
    private func apply(_ migrations: [Migration], schema: SchemaName, on connection: PostgresConnection) async throws -> [String] {
        // Schema changes wait for their locks (many organisations created or migrated at once
        // contend on the catalogue); the login role's timeouts are for requests, not migrations.
        try await connection.query("SELECT set_config('lock_timeout', '0', true), set_config('statement_timeout', '0', true)")
        try await connection.query("SELECT set_config('search_path', \(try await connection.quoteIdentifier(schema.rawValue)), true)")
        // What the migrations create is granted to the organisation's role as it is created, so
        // no grant has to scan the catalogue (whose size grows with every organisation).
        if schema != platformSchema { try await grantDefaultPrivileges(schema, on: connection) }
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        var applied = try await readVersions(on: connection)
        try verify(applied, against: migrations, schema: schema)
        let platformQuoted = try await connection.quoteIdentifier(platformSchema.rawValue)
        var names: [String] = []
        for migration in migrations where applied[migration.version] == nil {
            do {
                // Tenant files name the shared schema as {{platform}}: its (validated) name is
                // quoted here, so tests can run against platform schemas of their own.
                try await connection.execute(script: migration.sql.replacingOccurrences(of: "{{platform}}", with: platformQuoted))
            } catch let error as PostgresError {
                throw MigrationError.failed(schema: schema.rawValue, file: migration.name, reason: error.description)
            }
            try await connection.query(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))"
            )
            names.append(migration.name)
            applied[migration.version] = migration.checksum
        }
        if schema != platformSchema {
            try await grantTenantRole(schema, on: connection)
            try await replaceCopy(of: [schema: applied], on: connection)
        }
        return names
    }

    /// Replaces the platform's copy of these schemas' versions with `versions` (in the caller's
    /// transaction): what the schemas' own tables hold, as the caller has just read or written them.
    private func replaceCopy(of versions: [SchemaName: [Int: String]], on connection: PostgresConnection) async throws {
        guard !versions.isEmpty else { return }
        var names: [String] = [], numbers: [String] = [], checksums: [String] = []
        for (schema, applied) in versions {
            for (version, checksum) in applied {
                names.append(schema.rawValue)
                numbers.append(String(version))
                checksums.append(checksum)
            }
        }
        _ = try await connection.pipeline([
            "DELETE FROM \(schema: platformSchema).tenant_migrations WHERE schema_name = ANY(\(versions.keys.map(\.rawValue)))",
            """
            INSERT INTO \(schema: platformSchema).tenant_migrations (schema_name, version, checksum)
            SELECT * FROM unnest(\(names)::text[], \(numbers)::text[]::int[], \(checksums)::text[])
            """,
        ])
    }

    /// Every schema's applied versions as the platform's copy has them. Schemas missing from the
    /// copy (all of them with `recheck`) are read from their own tables, and the copy renewed.
    func recordedTenantVersions(_ schemas: [SchemaName], recheck: Bool) async throws -> [SchemaName: [Int: String]?] {
        var states: [SchemaName: [Int: String]?] = [:]
        if !recheck {
            let wanted = Set(schemas)
            for row in try await pool.query("SELECT schema_name, version, checksum FROM \(schema: platformSchema).tenant_migrations") {
                guard let schema = SchemaName(try row.decode("schema_name", as: String.self)), wanted.contains(schema) else { continue }
                states[schema, default: [:]]?[try row.decode("version", as: Int.self)] = try row.decode("checksum", as: String.self)
            }
        }
        let unrecorded = schemas.filter { states[$0] == nil }
        guard !unrecorded.isEmpty else { return states }
        let read = try await tenantVersions(unrecorded)
        // Copied as read: the migration lock this run holds keeps the tables from changing meanwhile.
        let migrated = unrecorded.compactMap { schema in (read[schema] ?? nil).map { (schema, $0) } }
        for start in stride(from: 0, to: migrated.count, by: 500) {
            let part = Dictionary(uniqueKeysWithValues: migrated[start..<min(start + 500, migrated.count)])
            try await pool.withTransaction { try await replaceCopy(of: part, on: $0) }
        }
        states.merge(read) { _, fromTable in fromTable }
        return states
    }

    /// The organisation's role may use what is created in its schema from now on (default
    /// privileges of the creating role there; idempotent).
    private func grantDefaultPrivileges(_ name: SchemaName, on connection: PostgresConnection) async throws {
        try await connection.pipeline([
            "GRANT USAGE ON SCHEMA \(schema: name) TO \(schema: name)",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA \(schema: name) GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \(schema: name)",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA \(schema: name) GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO \(schema: name)",
        ])
    }

    /// The organisation's role may use its own schema's data, never change its migrations, and
    /// only add to its audit trail (no update, delete or truncate, whatever the application does).
    /// Schemas created before default privileges were used get their grants here as well, once.
    private func grantTenantRole(_ name: SchemaName, on connection: PostgresConnection) async throws {
        let quoted = "\"\(name.rawValue)\""  // [a-z0-9_] by construction
        let state = try await connection.query(
            """
            SELECT to_regclass(\(quoted + ".audit_log")) IS NOT NULL AS has_audit,
                   has_table_privilege(\(name.rawValue), \(quoted + ".schema_migrations"), 'SELECT') AS granted
            """
        ).one()
        var statements: [SQL] = []
        if try !state.decode("granted", as: Bool.self) {
            statements += [
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \(schema: name) TO \(schema: name)",
                "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA \(schema: name) TO \(schema: name)",
            ]
        }
        statements.append("REVOKE INSERT, UPDATE, DELETE ON \(schema: name).schema_migrations FROM \(schema: name)")
        if try state.decode("has_audit", as: Bool.self) {
            statements.append("REVOKE UPDATE, DELETE, TRUNCATE ON \(schema: name).audit_log FROM \(schema: name)")
        }
        try await connection.pipeline(statements)
    }

    /// Every schema's applied versions and checksums (`nil`: not migrated at all), read from their
    /// own tables with one statement per `batch` schemas rather than a transaction each, on
    /// `parallelism` connections at once (each first read of a schema's table is PostgreSQL
    /// loading it into that backend's caches: CPU that two backends share out).
    func tenantVersions(_ schemas: [SchemaName], batch: Int = 500) async throws -> [SchemaName: [Int: String]?] {
        let migrated = Set(
            try await pool.query(
                """
                SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relname = 'schema_migrations' AND c.relkind = 'r'
                """
            ).map { try $0.decode("nspname", as: String.self) })
        var states: [SchemaName: [Int: String]?] = [:]
        for schema in schemas where !migrated.contains(schema.rawValue) { states[schema] = .some(nil) }
        let present = schemas.filter { migrated.contains($0.rawValue) }
        for schema in present { states[schema] = [:] }
        let parts = stride(from: 0, to: present.count, by: batch).map { Array(present[$0..<min($0 + batch, present.count)]) }
        let read = try await withThrowingTaskGroup(of: [(SchemaName, Int, String)].self) { group in
            var iterator = parts.makeIterator()
            func addNext() {
                guard let part = iterator.next() else { return }
                group.addTask { try await versions(in: part) }
            }
            for _ in 0..<parallelism { addNext() }
            var all: [(SchemaName, Int, String)] = []
            while let rows = try await group.next() {
                all += rows
                addNext()
            }
            return all
        }
        for (schema, version, checksum) in read { states[schema]??[version] = checksum }
        return states
    }

    private func versions(in schemas: [SchemaName]) async throws -> [(SchemaName, Int, String)] {
        let union = SQL.joined(
            schemas.map { "SELECT \($0.rawValue)::text AS schema, version, checksum FROM \(schema: $0).schema_migrations" },
            separator: " UNION ALL ")
        return try await pool.query(union).compactMap { row in
            guard let schema = SchemaName(try row.decode("schema", as: String.self)) else { return nil }
            return (schema, try row.decode("version", as: Int.self), try row.decode("checksum", as: String.self))
        }
    }

    private func appliedVersions(schema: SchemaName, on connection: PostgresConnection) async throws -> [Int: String]? {
        let exists = try await connection.query(
            "SELECT to_regclass(\(try await connection.quoteIdentifier(schema.rawValue) + ".schema_migrations")) IS NOT NULL AS present")
        guard let row = try exists.single(), try row.decode("present", as: Bool.self) else { return nil }
        try await connection.query("SELECT set_config('search_path', \(try await connection.quoteIdentifier(schema.rawValue)), true)")
        return try await readVersions(on: connection)
    }

    private func readVersions(on connection: PostgresConnection) async throws -> [Int: String] {
        var versions: [Int: String] = [:]
        for row in try await connection.query("SELECT version, checksum FROM schema_migrations") {
            versions[try row.decode("version")] = try row.decode("checksum", as: String.self)
        }
        return versions
    }

    private func verify(_ applied: [Int: String], against migrations: [Migration], schema: SchemaName, allowingNewer: Bool = false) throws {
        let files = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        let newest = migrations.map(\.version).max() ?? 0
        for (version, checksum) in applied.sorted(by: { $0.key < $1.key }) {
            if allowingNewer, version > newest { continue }
            guard let file = files[version] else { throw MigrationError.unknownVersion(schema: schema.rawValue, version: version) }
            if file.checksum != checksum { throw MigrationError.checksumMismatch(schema: schema.rawValue, file: file.name) }
        }
    }

    private func describe(_ applied: [Int: String]?, against migrations: [Migration], schema: SchemaName, allowingNewer: Bool = false)
        -> [String]
    {
        guard let applied else { return migrations.isEmpty ? [] : ["schema \(schema) is not migrated"] }
        do {
            try verify(applied, against: migrations, schema: schema, allowingNewer: allowingNewer)
        } catch {
            return ["\(error)"]
        }
        let pending = migrations.filter { applied[$0.version] == nil }
        return pending.isEmpty ? [] : ["schema \(schema) lacks \(pending.map(\.name).joined(separator: ", "))"]
    }

    static func organisationSchemas(pool: PostgresPool, platformSchema: SchemaName) async throws -> [SchemaName] {
        try await pool.withConnection { connection in
            let table = try await connection.quoteIdentifier(platformSchema.rawValue) + ".organisations"
            let present = try await connection.query("SELECT to_regclass(\(table)) IS NOT NULL AS present")
            guard let row = try present.single(), try row.decode("present", as: Bool.self) else { return [] }
            return try await connection.query(
                "SELECT schema_name FROM \(schema: platformSchema).organisations ORDER BY created_at, schema_name"
            )
            .map { row in
                let raw: String = try row.decode("schema_name")
                guard let name = SchemaName(raw) else {
                    throw MigrationError.failed(schema: raw, file: "-", reason: "invalid schema name in organisations")
                }
                return name
            }
        }
    }
}
