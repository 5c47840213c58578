import Foundation
import Logging
import Postgres

/// The long-lived dependencies of the application, built once and handed to the routes.
public struct AppServices: Sendable {
    public let pool: PostgresPool
    public let migrator: Migrator
    public let tenants: TenantDatabase
    public let organisations: OrganisationRepository
    public let users: UserRepository

    /// Wires everything over one pool, reading migrations from `sqlDirectory`.
    public init(
        pool: PostgresPool, sqlDirectory: URL, platformSchema: SchemaName = .platform,
        tenantMigrations: [Migration]? = nil, logger: Logger = Logger(label: "luotsi")
    ) throws {
        let migrator = Migrator(
            pool: pool, platformSchema: platformSchema,
            platformMigrations: try Migration.load(from: sqlDirectory.appendingPathComponent("platform")),
            tenantMigrations: try tenantMigrations ?? Migration.load(from: sqlDirectory.appendingPathComponent("tenant")),
            logger: logger)
        self.pool = pool
        self.migrator = migrator
        self.tenants = TenantDatabase(pool: pool)
        self.organisations = OrganisationRepository(pool: pool, migrator: migrator)
        self.users = UserRepository(tenants: tenants, organisations: organisations)
    }
}
