import Foundation
import Postgres

/// One organisation's data as a versioned JSON document, and back (`luotsi org export` and
/// `luotsi org import`): an organisation that leaves gets its data, and a test organisation can
/// be cloned.
///
/// The document: `{"format": "luotsi.organisation", "formatVersion": 1, "schemaVersion": N,
/// "withSecrets": false, "exportedAt": …, "organisation": {"slug", "name", "status", "createdAt"},
/// "tables": {"users": [rows…], "goals": [rows…], …}}`, every table of the organisation's schema
/// with every column, rows as PostgreSQL's `to_jsonb` writes them (ids, history and audit rows
/// included). Without `withSecrets` the users carry no password hashes or second-factor keys and
/// the one-time password codes are left out; after such an import, management issues each person
/// a code to set a password (`/users`).
public struct OrganisationTransfer: Sendable {
    public static let format = "luotsi.organisation"
    public static let formatVersion = 1
    /// Every table of an organisation's schema, each after the tables its rows refer to. A table
    /// a later migration adds must be listed here: export refuses to run without it, so that
    /// nothing is silently left out of an organisation's data.
    static let tables = [
        "users", "settings", "procurements", "procurement_members", "procurement_phase_changes", "procurement_impacts", "goals",
        "goal_transitions", "goal_alignments", "goal_milestones", "goal_indicators", "goal_comments", "goal_supports", "tasks",
        "checkins", "checkin_indicator_values", "audit_log", "password_codes", "notifications", "digests", "workshops",
        "workshop_participants", "workshop_ideas", "workshop_votes",
    ]
    static let secretTables: Set<String> = ["password_codes"]
    static let secretUserColumns = ["password_hash", "totp_secret", "totp_pending", "totp_last_step"]

    let pool: PostgresPool
    let organisations: OrganisationRepository
    let migrator: Migrator
    /// To check that imported second-factor keys open here.
    let keys: SecretKeys

    public init(pool: PostgresPool, organisations: OrganisationRepository, migrator: Migrator, keys: SecretKeys = .none) {
        self.pool = pool
        self.organisations = organisations
        self.migrator = migrator
        self.keys = keys
    }

    private struct Header: Encodable {
        let slug: String
        let name: String
        let status: String
        let createdAt: Date
    }

    /// The organisation's data, read in one snapshot. Recorded in the platform audit log.
    public func export(slug: String, withSecrets: Bool = false, by actor: PlatformActor = .commandLine) async throws -> Data {
        let organisation = try await organisations.find(slug: slug)
        let schema = organisation.schema
        let header = try ResponseJSON.encode(
            Header(
                slug: organisation.slug, name: organisation.name, status: organisation.status.rawValue, createdAt: organisation.createdAt))
        let document = try await pool.withTransaction { connection -> [UInt8] in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            try await Self.requireKnownTables(schema, on: connection)
            let version: Int = try await connection.query("SELECT max(version) AS version FROM \(schema: schema).schema_migrations").one()
                .decode("version")
            var bytes = Array(
                #"{"format":"\#(Self.format)","formatVersion":\#(Self.formatVersion),"schemaVersion":\#(version),"withSecrets":\#(withSecrets),"exportedAt":"\#(RFC3339.format(Date()))","organisation":"#
                    .utf8)
            bytes += header
            bytes += Array(#","tables":{"#.utf8)
            var first = true
            for table in Self.tables where withSecrets || !Self.secretTables.contains(table) {
                let row: SQL =
                    table == "users" && !withSecrets
                    ? "to_jsonb(t) - \(Self.secretUserColumns)::text[]" : "to_jsonb(t)"
                let rows: String = try await connection.query(
                    "SELECT coalesce(jsonb_agg(\(row) ORDER BY t::text), '[]')::text AS rows FROM \(schema: schema).\(identifier: table) t"
                ).one().decode("rows")
                bytes += Array(((first ? "" : ",") + "\"\(table)\":").utf8) + Array(rows.utf8)
                first = false
            }
            bytes += Array("}}\n".utf8)
            return bytes
        }
        try await pool.withTransaction { connection in
            try await PlatformAudit.record(
                "organisation.export", target: slug, detail: ["withSecrets": withSecrets ? "yes" : "no"], by: actor,
                platform: migrator.platformSchema, on: connection)
        }
        return Data(document)
    }

    /// A new organisation holding an export's data, under `slug` (default: the file's), created
    /// and filled in one transaction: a file that does not fit leaves nothing behind.
    ///
    /// The file is outside data, checked like a request: its shape here, every value by the
    /// tables' own types and constraints, and the rows no constraint covers (exactly one
    /// `settings` row) afterwards. Secrets — password hashes, one-time codes, second-factor keys —
    /// are taken only when the operator asks for them (`withSecrets`) and the file carries them;
    /// otherwise every person gets an unusable password and no second factor, whatever the file
    /// says. Imported second-factor keys must open with this server's secret keys.
    public func importOrganisation(
        _ data: Data, slug: String? = nil, withSecrets wanted: Bool = false, by actor: PlatformActor = .commandLine
    )
        async throws -> Organisation
    {
        @Sendable func invalid(_ field: String, _ reason: String) -> LuotsiError { .invalid(field: field, reason: reason) }
        guard let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw invalid("file", "is not a JSON object")
        }
        guard document["format"] as? String == Self.format else { throw invalid("format", "is not a Luotsi organisation export") }
        guard (document["formatVersion"] as? NSNumber)?.intValue == Self.formatVersion, document["formatVersion"] is NSNumber else {
            throw invalid("formatVersion", "must be \(Self.formatVersion); this build reads no other")
        }
        let current = migrator.tenantMigrations.map(\.version).max() ?? 0
        guard let versionNumber = document["schemaVersion"] as? NSNumber, let version = Int(exactly: versionNumber.doubleValue) else {
            throw invalid("schemaVersion", "is missing or not a whole number")
        }
        guard version == current else {
            throw invalid(
                "schemaVersion",
                "the file was exported at organisation schema version \(version) and this build is at \(current): import it with the same release, or migrate the exporting installation first"
            )
        }
        guard let header = document["organisation"] as? [String: Any], let fileSlug = header["slug"] as? String,
            let name = header["name"] as? String
        else { throw invalid("organisation", "needs a slug and a name") }
        guard let tables = document["tables"] as? [String: Any] else { throw invalid("tables", "is missing") }
        if let unknown = Set(tables.keys).subtracting(Self.tables).sorted().first {
            throw invalid("tables.\(unknown)", "is not a table of this release")
        }
        let withSecrets = wanted && document["withSecrets"] as? Bool == true
        if wanted, !withSecrets { throw invalid("withSecrets", "the file was exported without secrets: import it without --with-secrets") }
        var payload: [(table: String, rows: String)] = []
        for table in Self.tables {
            if Self.secretTables.contains(table), !withSecrets { continue }
            guard let rows = tables[table] else { throw invalid("tables.\(table)", "is missing") }
            guard let list = rows as? [Any], list.allSatisfy({ $0 is [String: Any] }) else {
                throw invalid("tables.\(table)", "must be an array of rows (objects)")
            }
            if table == "settings", list.count != 1 { throw invalid("tables.settings", "must hold exactly one row, not \(list.count)") }
            payload.append((table, String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self)))
        }
        // Without secrets, everyone gets a hash of a random password nobody knows (signing in
        // waits for a code from management, as for a new person) and no second factor.
        let unusable = withSecrets ? nil : await PasswordHasher.hash(Encoding.randomToken())
        let rowsByTable = payload
        let platform = migrator.platformSchema
        let keys = self.keys
        return try await organisations.create(
            slug: slug ?? fileSlug, name: name, management: nil, by: actor, action: "organisation.import"
        ) { schema, connection in
            try await Self.requireKnownTables(schema, on: connection)
            // A new schema has its default settings row; the file's replaces it.
            try await connection.query("DELETE FROM \(schema: schema).settings")
            for (table, rows) in rowsByTable {
                var source: SQL = "json_populate_recordset(NULL::\(schema: schema).\(identifier: table), \(rows)::json)"
                if table == "users", let unusable {
                    source =
                        "json_populate_recordset(NULL::\(schema: schema).users, (SELECT coalesce(json_agg((e::jsonb - \(Self.secretUserColumns)::text[]) || jsonb_build_object('password_hash', \(unusable)::text)), '[]'::json) FROM json_array_elements(\(rows)::json) e))"
                }
                do {
                    try await connection.query(
                        "INSERT INTO \(schema: schema).\(identifier: table) OVERRIDING SYSTEM VALUE SELECT * FROM \(source)")
                } catch let error as PostgresError where error.kind == .server {
                    throw invalid("tables.\(table)", "does not fit this release's table: \(error.message)")
                }
                // Numbering continues after the imported rows.
                for column in try await connection.query(
                    "SELECT attname FROM pg_attribute WHERE attrelid = \(schema.rawValue + "." + table)::regclass AND attidentity <> ''")
                {
                    let name: String = try column.decode("attname")
                    try await connection.query(
                        "SELECT setval(pg_get_serial_sequence(\(schema.rawValue + "." + table), \(name)), max(\(identifier: name))) FROM \(schema: schema).\(identifier: table) HAVING max(\(identifier: name)) IS NOT NULL"
                    )
                }
            }
            try await Self.requireDisplayableValues(schema, on: connection)
            try await Self.registerWorkshopCodes(schema, platform: platform, on: connection)
            if withSecrets { try await Self.adoptSecondFactors(schema, keys: keys, platform: platform, on: connection) }
        }
    }

    /// Values a column's type allows but the application never writes and cannot show: dates
    /// and times outside the years 1–9999 (`infinity` among them) and numbers beyond ±10^15
    /// (`NaN` among them), the limits the API and the forms keep. Named by table and column.
    static func requireDisplayableValues(_ schema: SchemaName, on connection: PostgresConnection) async throws {
        let columns = try await connection.query(
            """
            SELECT c.relname AS table_name, a.attname AS column_name, t.typname AS type_name
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
            WHERE c.relnamespace = \(schema.rawValue)::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              AND t.typname IN ('date', 'timestamp', 'timestamptz', 'numeric')
            ORDER BY 1, 2
            """)
        for column in columns {
            let table: String = try column.decode("table_name")
            let name: String = try column.decode("column_name")
            let type: String = try column.decode("type_name")
            let outside: SQL =
                type == "numeric"
                ? "NOT (\(identifier: name) BETWEEN -1e15 AND 1e15)"
                : "NOT (\(identifier: name) >= '0001-01-01' AND \(identifier: name) < '10000-01-01')"
            let found = try await connection.query("SELECT 1 FROM \(schema: schema).\(identifier: table) WHERE \(outside) LIMIT 1")
            guard found.isEmpty else {
                throw LuotsiError.invalid(
                    field: "tables.\(table).\(name)",
                    reason: type == "numeric" ? "holds a number beyond ±10^15 or NaN" : "holds a date outside the years 1–9999")
            }
        }
    }

    /// Imported second-factor keys: each must open with this server's keys (else the people
    /// could never sign in), and each person is listed for start-up (`second_factor_accounts`).
    static func adoptSecondFactors(_ schema: SchemaName, keys: SecretKeys, platform: SchemaName, on connection: PostgresConnection)
        async throws
    {
        let rows = try await connection.query(
            "SELECT id, totp_secret, totp_pending FROM \(schema: schema).users WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL")
        for row in rows {
            let id: UUID = try row.decode("id")
            for column in ["totp_secret", "totp_pending"] {
                guard let stored = try row.decode(column, as: String?.self) else { continue }
                do {
                    _ = try keys.open(stored, owner: id)
                } catch {
                    throw LuotsiError.invalid(
                        field: "tables.users",
                        reason: "a second-factor key in the file does not open with this server's secret keys (\(error))")
                }
            }
            try await connection.query(
                """
                INSERT INTO \(schema: platform).second_factor_accounts (schema_name, user_id) VALUES (\(schema.rawValue), \(id))
                ON CONFLICT DO NOTHING
                """)
        }
    }

    /// Enters the imported workshops' join codes in the platform's directory; a code already
    /// taken there (the same file imported twice) is replaced by a new one.
    static func registerWorkshopCodes(_ schema: SchemaName, platform: SchemaName, on connection: PostgresConnection) async throws {
        for row in try await connection.query("SELECT id, join_code FROM \(schema: schema).workshops") {
            let id: UUID = try row.decode("id")
            var code: String = try row.decode("join_code")
            for attempt in 0..<9 {
                if attempt > 0 { code = WorkshopRepository.newCode() }
                let added = try await connection.query(
                    """
                    INSERT INTO \(schema: platform).workshop_codes (code, schema_name, workshop_id) VALUES (\(code), \(schema.rawValue), \(id))
                    ON CONFLICT DO NOTHING
                    """
                ).affectedRows
                if added == 1 { break }
                if attempt == 8 { throw LuotsiError.conflict("no free join code was found for an imported workshop; try again") }
            }
            try await connection.query("UPDATE \(schema: schema).workshops SET join_code = \(code) WHERE id = \(id)")
        }
    }

    /// Refuses a schema with a table this code does not know (or lacks one it does). The
    /// migrations and the data version are bookkeeping, not the organisation's data.
    static func requireKnownTables(_ schema: SchemaName, on connection: PostgresConnection) async throws {
        let present = Set(
            try await connection.query(
                "SELECT relname FROM pg_class WHERE relnamespace = \(schema.rawValue)::regnamespace AND relkind = 'r' AND relname NOT IN ('schema_migrations', 'data_version')"
            ).map { try $0.decode("relname", as: String.self) })
        guard present == Set(tables) else {
            throw LuotsiError.invalid(
                field: "tables",
                reason:
                    "the organisation's tables (\(present.sorted().joined(separator: ", "))) are not the ones OrganisationTransfer knows: list a new table there"
            )
        }
    }
}
