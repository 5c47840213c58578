import Foundation
import Logging
import Postgres

/// What `serve` does about stored second-factor keys before it takes requests: without a secret
/// key (`LUOTSI_SECRET_KEY_FILE`) it refuses to start when anyone has a second factor (it could
/// not check their codes); with one, it seals every key still stored in plain text by an earlier
/// release or sealed by an older key (a rotation), and forgets listed people whose keys are gone.
/// Visits only the organisations `second_factor_accounts` names.
public struct SecondFactorSealing: Sendable {
    let pool: PostgresPool
    let tenants: TenantDatabase
    let platform: SchemaName
    let keys: SecretKeys

    /// What the pass did.
    public struct Report: Sendable {
        public var accounts = 0
        public var resealed = 0
        public var forgotten = 0
    }

    public init(services: AppServices, keys: SecretKeys) {
        pool = services.pool
        tenants = services.tenants
        platform = services.migrator.platformSchema
        self.keys = keys
    }

    public func run() async throws -> Report {
        let listed = try await pool.query(
            """
            SELECT a.schema_name, a.user_id, o.schema_name IS NOT NULL AS present
            FROM \(schema: platform).second_factor_accounts a
            LEFT JOIN \(schema: platform).organisations o ON o.schema_name = a.schema_name
            ORDER BY a.schema_name
            """)
        let admins = try await pool.query(
            """
            SELECT id, totp_secret, totp_pending FROM \(schema: platform).platform_admins
            WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL
            """)
        var report = Report()
        report.accounts = listed.count + admins.count
        guard report.accounts > 0 else { return report }
        guard keys.isConfigured else {
            throw LuotsiError.unavailable(
                "\(report.accounts) people have a second factor, whose keys this server cannot open without its secret key: set LUOTSI_SECRET_KEY_FILE (docs/operations.md, Secrets)"
            )
        }
        try await pool.withTransaction { connection in
            for row in admins {
                report.resealed += try await reseal(row, table: "\(schema: platform).platform_admins", on: connection)
            }
        }
        var bySchema: [String: [UUID]] = [:]
        var gone: [(String, UUID)] = []
        for row in listed {
            let name: String = try row.decode("schema_name")
            let id: UUID = try row.decode("user_id")
            if try row.decode("present", as: Bool.self) { bySchema[name, default: []].append(id) } else { gone.append((name, id)) }
        }
        // One organisation per transaction (docs/scale-out.md).
        for (name, ids) in bySchema.sorted(by: { $0.key < $1.key }) {
            guard let schema = SchemaName(name) else { continue }
            let withKeys = try await tenants.withTenant(schema) { connection -> Set<UUID> in
                var present = Set<UUID>()
                for row in try await connection.query(
                    "SELECT id, totp_secret, totp_pending FROM users WHERE id = ANY(\(ids)) AND (totp_secret IS NOT NULL OR totp_pending IS NOT NULL)"
                ) {
                    present.insert(try row.decode("id"))
                    report.resealed += try await reseal(row, table: "users", on: connection)
                }
                return present
            }
            gone += ids.filter { !withKeys.contains($0) }.map { (name, $0) }
        }
        for (name, id) in gone {
            try await pool.query(
                "DELETE FROM \(schema: platform).second_factor_accounts WHERE schema_name = \(name) AND user_id = \(id)")
        }
        report.forgotten = gone.count
        return report
    }

    /// Seals the row's keys with the current key where they need it; returns how many changed.
    private func reseal(_ row: PostgresRow, table: SQL, on connection: some PostgresQuerying) async throws -> Int {
        let id: UUID = try row.decode("id")
        var changed = 0
        for column in ["totp_secret", "totp_pending"] {
            guard let stored = try row.decode(column, as: String?.self), keys.needsResealing(stored) else { continue }
            let sealed = try keys.seal(try keys.open(stored, owner: id), owner: id)
            // Only if nobody changed it meanwhile (another instance starting at the same time).
            try await connection.query(
                "UPDATE \(table) SET \(identifier: column) = \(sealed) WHERE id = \(id) AND \(identifier: column) = \(stored)")
            changed += 1
        }
        return changed
    }
}
