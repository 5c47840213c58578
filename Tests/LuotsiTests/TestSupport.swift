import Foundation
import Postgres
import Testing

@testable import Luotsi

/// Shared set-up for Luotsi's integration tests: a real PostgreSQL (see PostgresTests'
/// TestDatabase for where it comes from), the repository's `sql/` folder, and throwaway
/// platform schemas and organisations that each test removes again.
enum TestSupport {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sqlDirectory = repositoryRoot.appendingPathComponent("sql")

    /// PostgreSQL itself: for migrations, `LISTEN`, and what must not go through a pooler.
    static var conninfo: String {
        PostgresConfiguration.conninfo(environment: ProcessInfo.processInfo.environment, fallback: PostgresConfiguration.composeDefault)
    }

    /// `LUOTSI_TEST_POOLER_URL`: a PgBouncer in transaction pooling that the services' pools go
    /// through instead (deploy/test runs the API suites so), as `serve` would in production.
    static var poolerConninfo: String? {
        ProcessInfo.processInfo.environment["LUOTSI_TEST_POOLER_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A generous wait for a connection: the suites run in parallel on two cores, and creating
    /// organisations (schema, role, grants) holds connections for seconds under that load.
    /// Through the pooler without prepared statements, as `serve` does there.
    static func pool(size: Int = 4) -> PostgresPool {
        PostgresPool(
            configuration: .init(
                conninfo: poolerConninfo ?? conninfo, maxConnections: size, acquireTimeout: .seconds(120),
                preparedStatements: poolerConninfo == nil ? 1000 : 0))
    }

    static func directPool(size: Int = 4) -> PostgresPool {
        PostgresPool(configuration: .init(conninfo: conninfo, maxConnections: size, acquireTimeout: .seconds(120)))
    }

    static func uniqueSuffix() -> String {
        String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(10))
    }

    /// The key that seals second-factor keys in every test's services: random for this run, as
    /// `LUOTSI_SECRET_KEY_FILE` holds one in production.
    static let secretKeys = SecretKeys(keys: [
        .init(id: "testkey0", bytes: Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
    ])

    /// Services over a fresh platform schema of their own (so tests never see each other's
    /// organisations), migrated. Call `tearDown` at the end.
    /// E-mail on, towards a port where nothing listens: the tests' services queue messages in
    /// the outbox (no sender runs in them); the mail tests start a real SMTP server of their own.
    static func mailSettings(smtp: String = "smtp://127.0.0.1:9") throws -> MailSettings {
        try MailSettings(environment: [
            "LUOTSI_SMTP_URL": smtp, "LUOTSI_PUBLIC_URL": "http://luotsi.test", "LUOTSI_MAIL_RETRY_SECONDS": "1",
        ])
    }

    static func isolatedServices(
        pool: PostgresPool? = nil, tenantMigrations: [Migration]? = nil, catalogueSeeds: [URL]? = nil, organisationCheck: Bool = true
    ) async throws -> AppServices {
        let pool = pool ?? self.pool()
        Observability.bootstrap()
        // Every response of every test is encoded both ways and must come out byte for byte the same.
        ResponseJSON.verifyAgainstFoundation.store(true, ordering: .relaxed)
        let schema = try #require(SchemaName("t_platform_" + uniqueSuffix()))
        let services = try AppServices(
            pool: pool, sqlDirectory: sqlDirectory, platformSchema: schema, tenantMigrations: tenantMigrations,
            catalogueSeeds: catalogueSeeds, organisationCheck: organisationCheck, secretKeys: secretKeys, mail: try mailSettings())
        do {
            if poolerConninfo != nil {
                // `luotsi migrate` refuses transaction pooling: migrate over PostgreSQL itself.
                let direct = directPool()
                let migrating = try AppServices(
                    pool: direct, sqlDirectory: sqlDirectory, platformSchema: schema, tenantMigrations: tenantMigrations,
                    catalogueSeeds: catalogueSeeds, organisationCheck: organisationCheck, secretKeys: secretKeys)
                do {
                    try await migrating.migrate()
                } catch {
                    await direct.close()
                    throw error
                }
                await direct.close()
            } else {
                try await services.migrate()
            }
        } catch let error as PostgresError where error.kind == .connection {
            Issue.record("cannot reach the test database: \(error). Run the tests with deploy/test, which starts one.")
            throw error
        }
        return services
    }

    /// Drops every organisation of the test's platform schema, then the schema itself.
    static func tearDown(_ services: AppServices) async throws {
        for organisation in try await services.organisations.list() {
            try await services.organisations.destroy(slug: organisation.slug)
        }
        try await services.pool.query("DROP SCHEMA \(identifier: services.migrator.platformSchema.rawValue) CASCADE")
        await services.pool.close()
    }

    /// A member of `organisation` with `role`, created directly (no bcrypt).
    static func member(_ services: AppServices, _ organisation: Organisation, role: Role) async throws -> Identity.Member {
        let user = try await services.tenants.withTenant(organisation.schema) { connection in
            try await UserRepository.insert(
                NewUser(
                    email: "\(role.rawValue)-\(uniqueSuffix())@example.fi", name: "\(role.rawValue.capitalized) Testaaja", password: "x"),
                role: role, passwordHash: "x", on: connection)
        }
        return Identity.Member(id: user.id, email: user.email, name: user.name, role: user.role, organisation: organisation, language: nil)
    }
}
