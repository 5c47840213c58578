import Foundation
import Luotsi
import Postgres
import Synchronization
import Testing

@Suite("Schema-per-organisation tenancy")
struct TenancyTests {
    @Test("schema names accept only safe identifiers")
    func schemaNames() {
        #expect(SchemaName("org_city_of_turku_1a2b3c4d") != nil)
        #expect(SchemaName("platform") != nil)
        for bad in ["", "Org", "1org", "pg_catalog", "org-x", "org x", "org\"; drop", String(repeating: "a", count: 64), "örg"] {
            #expect(SchemaName(bad) == nil, "\(bad) should be refused")
        }
        let generated = SchemaName.generate(for: "x; drop schema platform")
        #expect(generated.rawValue.hasPrefix("org_x__drop_schema_platform_"))
    }

    @Test("a hostile slug is refused with a clear message and nothing is created")
    func hostileSlugIsRefused() async throws {
        let services = try await TestSupport.isolatedServices()
        await #expect(
            throws: LuotsiError.invalid(
                field: "slug", reason: "use 1–50 lower-case letters a–z, digits and inner hyphens (e.g. \"city-of-turku\")")
        ) {
            _ = try await services.organisations.create(slug: "x; drop schema platform", name: "X", management: nil)
        }
        #expect(try await services.organisations.list().isEmpty)
        let schemas = try await services.pool.query("SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'org_x__drop%'")
        #expect(try schemas[0].decode("n", as: Int.self) == 0)
        try await TestSupport.tearDown(services)
    }

    @Test("a duplicate slug is a conflict and leaves no second schema or role behind")
    func duplicateSlug() async throws {
        let services = try await TestSupport.isolatedServices()
        let slug = "dup-" + TestSupport.uniqueSuffix()
        _ = try await services.organisations.create(slug: slug, name: "First", management: nil)
        await #expect(throws: LuotsiError.conflict("an organisation with slug \(slug) already exists")) {
            _ = try await services.organisations.create(slug: slug, name: "Second", management: nil)
        }
        let schemaPrefix = "org_" + slug.replacingOccurrences(of: "-", with: "_") + "_%"
        let counts = try await services.pool.query(
            "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname LIKE \(schemaPrefix)) AS schemas, (SELECT count(*) FROM pg_roles WHERE rolname LIKE \(schemaPrefix)) AS roles"
        )
        #expect(try counts[0].decode("schemas", as: Int.self) == 1)
        #expect(try counts[0].decode("roles", as: Int.self) == 1)
        try await TestSupport.tearDown(services)
    }

    @Test("creating 50 organisations gives 50 schemas at the latest version")
    func fiftyOrganisations() async throws {
        let services = try await TestSupport.isolatedServices()
        let suffix = TestSupport.uniqueSuffix()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    _ = try await services.organisations.create(
                        slug: "org\(index)-\(suffix)", name: "Organisation \(index)", management: nil)
                }
            }
            try await group.waitForAll()
        }
        let organisations = try await services.organisations.list()
        #expect(organisations.count == 50)
        let latest = try #require(services.migrator.tenantMigrations.last?.version)
        for organisation in organisations {
            let rows = try await services.pool.query(
                "SELECT max(version) AS v, count(*) AS n FROM \(identifier: organisation.schema.rawValue).schema_migrations")
            #expect(try rows[0].decode("v", as: Int.self) == latest)
            #expect(try rows[0].decode("n", as: Int.self) == services.migrator.tenantMigrations.count)
        }
        #expect(try await services.migrator.problems().isEmpty)
        try await TestSupport.tearDown(services)
    }

    /// Issue 7, point 11: PostgreSQL 15 can keep a backend's role-membership list from before a
    /// grant that committed meanwhile, so the switch into a brand-new organisation was refused
    /// (42501) on some pooled connections until the next role change anywhere.
    @Test("a new organisation is usable on every pooled connection while others are being created")
    func newOrganisationUsableAtOnceUnderConcurrentCreation() async throws {
        let services = try await TestSupport.isolatedServices(pool: TestSupport.pool(size: 10))
        let suffix = TestSupport.uniqueSuffix()
        let probe = SwitchProbe()
        try await withThrowingTaskGroup(of: Void.self) { workers in
            for _ in 0..<7 {
                workers.addTask {
                    while !probe.done.load(ordering: .relaxed) {
                        // Mostly the newest organisation: the one whose membership is freshest.
                        guard let schema = probe.created.withLock({ $0.isEmpty ? nil : (Bool.random() ? $0.last : $0.randomElement()) })
                        else {
                            try await Task.sleep(for: .milliseconds(5))
                            continue
                        }
                        do {
                            try await services.tenants.withTenant(schema) { try await $0.query("SELECT count(*) FROM goals") }
                            probe.switches.add(1, ordering: .relaxed)
                        } catch {
                            probe.failures.withLock { $0.append("\(schema): \(error)") }
                        }
                    }
                }
            }
            // Other organisations being created at the same time, at a busy platform's pace: each
            // role grant makes every backend drop its membership list, which widens the race.
            workers.addTask {
                let connection = try await PostgresConnection.connect(conninfo: TestSupport.conninfo)
                var index = 0
                while !probe.done.load(ordering: .relaxed) {
                    let role = "t_churn_\(suffix)_\(index)"
                    index += 1
                    try await connection.query("CREATE ROLE \(identifier: role) NOLOGIN")
                    try await connection.query("GRANT \(identifier: role) TO CURRENT_USER")
                    try await connection.query("DROP ROLE \(identifier: role)")
                }
                await connection.close()
            }
            defer { probe.done.store(true, ordering: .relaxed) }
            try await withThrowingTaskGroup(of: Void.self) { creators in
                for creator in 0..<3 {
                    creators.addTask {
                        for index in 0..<6 {
                            let organisation = try await services.organisations.create(
                                slug: "new\(creator)-\(index)-\(suffix)", name: "New \(creator) \(index)", management: nil)
                            probe.created.withLock { $0.append(organisation.schema) }
                        }
                    }
                }
                try await creators.waitForAll()
            }
        }
        #expect(probe.switches.load(ordering: .relaxed) > 36)
        #expect(probe.failures.withLock { $0 }.isEmpty, "\(probe.failures.withLock { $0.prefix(3) })")
        try await TestSupport.tearDown(services)
    }

    @Test("search_path and role set in one pooled transaction are not seen by the next")
    func tenantSettingsDoNotLeak() async throws {
        let pool = TestSupport.pool(size: 1)
        let services = try await TestSupport.isolatedServices(pool: pool)
        let organisation = try await services.organisations.create(
            slug: "leak-" + TestSupport.uniqueSuffix(), name: "Leak test", management: nil)
        let baseline = try await pool.query("SELECT current_user AS who, current_setting('search_path') AS path, pg_backend_pid() AS pid")[
            0]
        let inside = try await services.tenants.withTenant(organisation.schema) { connection in
            try await connection.query("SELECT current_user AS who, current_setting('search_path') AS path, pg_backend_pid() AS pid")[0]
        }
        #expect(try inside.decode("who", as: String.self) == organisation.schema.rawValue)
        #expect(try inside.decode("path", as: String.self) == "\"\(organisation.schema.rawValue)\"")
        let after = try await pool.query("SELECT current_user AS who, current_setting('search_path') AS path, pg_backend_pid() AS pid")[0]
        // Same pooled connection, yet back to the login role and the default path.
        #expect(try after.decode("pid", as: Int.self) == inside.decode("pid", as: Int.self))
        #expect(try after.decode("who", as: String.self) == baseline.decode("who", as: String.self))
        #expect(try after.decode("path", as: String.self) == baseline.decode("path", as: String.self))
        try await TestSupport.tearDown(services)
    }

    @Test("a pooled connection that has written in more organisations than its bound is replaced")
    func writesCountTowardsTheConnectionsBound() async throws {
        let services = try await TestSupport.isolatedServices()
        let pool = TestSupport.directPool(size: 1)  // one backend per connection, as the bound assumes
        let suffix = TestSupport.uniqueSuffix()
        var schemas: [SchemaName] = []
        for index in 1...3 {
            schemas.append(
                try await services.organisations.create(slug: "bound-\(index)-" + suffix, name: "Bound \(index)", management: nil).schema)
        }
        let tenants = TenantDatabase(pool: pool, organisationsPerConnection: 2)
        var backends: [Int] = []
        for schema in schemas + [schemas[0]] {
            backends.append(
                try await tenants.withTenant(schema) { connection in
                    try await connection.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
                })
        }
        // Two organisations fit; the third is served, then the connection is closed, and the
        // fourth transaction runs on a new backend.
        #expect(backends[0] == backends[1] && backends[1] == backends[2])
        #expect(backends[3] != backends[2])
        await pool.close()
        try await TestSupport.tearDown(services)
    }

    @Test("a query on organisation B's table inside organisation A's transaction is refused by PostgreSQL")
    func crossTenantQueryIsRefused() async throws {
        let services = try await TestSupport.isolatedServices()
        let suffix = TestSupport.uniqueSuffix()
        let a = try await services.organisations.create(slug: "a-" + suffix, name: "A", management: nil)
        let b = try await services.organisations.create(
            slug: "b-" + suffix, name: "B", management: NewUser(email: "boss@b.example", name: "Boss", password: "correct horse battery"))
        for statement: SQL in [
            "SELECT * FROM \(identifier: b.schema.rawValue).users",
            "UPDATE \(identifier: b.schema.rawValue).users SET name = 'pwned'",
            "SELECT * FROM \(identifier: services.migrator.platformSchema.rawValue).sessions",
            "CREATE TABLE \(identifier: b.schema.rawValue).intruder (x int)",
        ] {
            await #expect {
                try await services.tenants.withTenant(a.schema) { connection in
                    try await connection.query(statement)
                }
            } throws: { error in
                (error as? PostgresError)?.sqlState == "42501"
            }
        }
        // A's own tables work; B's data is untouched.
        let own = try await services.tenants.withTenant(a.schema) {
            try await $0.query("SELECT count(*) AS n FROM users")[0].decode("n", as: Int.self)
        }
        #expect(own == 0)
        let names = try await services.tenants.withTenant(b.schema) {
            try await $0.query("SELECT name FROM users")[0].decode("name", as: String.self)
        }
        #expect(names == "Boss")
        try await TestSupport.tearDown(services)
    }
}

/// What the concurrent-creation test's tasks share.
private final class SwitchProbe: Sendable {
    let created = Mutex<[SchemaName]>([])
    let done = Atomic<Bool>(false)
    let switches = Atomic<Int>(0)
    let failures = Mutex<[String]>([])
}
