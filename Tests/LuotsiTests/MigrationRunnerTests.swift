import Foundation
import Postgres
import Testing

@testable import Luotsi

@Suite("The migration runner")
struct MigrationRunnerTests {
    static let create = Migration(version: 1, name: "001_notes.sql", sql: "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);")
    static let addColumn = Migration(version: 2, name: "002_notes_author.sql", sql: "ALTER TABLE notes ADD COLUMN author text;")
    /// Fails only in schemas that hold a `poison` table, so one tenant can be made to fail.
    static let poisoned = Migration(
        version: 2, name: "002_notes_author.sql",
        sql: """
            ALTER TABLE notes ADD COLUMN author text;
            DO $$ BEGIN
                IF to_regclass('poison') IS NOT NULL THEN RAISE EXCEPTION 'poisoned schema'; END IF;
            END $$;
            """)

    /// A migrator over the same platform schema with another set of tenant files.
    func migrator(_ services: AppServices, tenant: [Migration], parallelism: Int = 4) -> Migrator {
        Migrator(
            pool: services.pool, platformSchema: services.migrator.platformSchema,
            platformMigrations: services.migrator.platformMigrations, tenantMigrations: tenant, parallelism: parallelism)
    }

    func organisations(_ services: AppServices, count: Int) async throws -> [Organisation] {
        let suffix = TestSupport.uniqueSuffix()
        var created: [Organisation] = []
        for index in 0..<count {
            created.append(try await services.organisations.create(slug: "m\(index)-\(suffix)", name: "M\(index)", management: nil))
        }
        return created
    }

    func versions(_ services: AppServices, _ organisation: Organisation) async throws -> [Int] {
        try await services.pool.query("SELECT version FROM \(identifier: organisation.schema.rawValue).schema_migrations ORDER BY version")
            .map { try $0.decode("version", as: Int.self) }
    }

    @Test("a rerun is idempotent: new files apply once, then nothing is left to do")
    func idempotentRerun() async throws {
        let services = try await TestSupport.isolatedServices(tenantMigrations: [Self.create])
        let organisations = try await organisations(services, count: 3)
        let next = migrator(services, tenant: [Self.create, Self.addColumn])
        #expect(try await next.problems().count == 3)
        let first = try await next.migrate()
        #expect(first.platformApplied.isEmpty)
        #expect(first.tenantsMigrated == 3)
        #expect(first.tenantFilesApplied == 3)
        let second = try await next.migrate()
        #expect(second.tenantsChecked == 3)
        #expect(second.tenantsMigrated == 0)
        #expect(second.tenantFilesApplied == 0)
        for organisation in organisations { #expect(try await versions(services, organisation) == [1, 2]) }
        #expect(try await next.problems().isEmpty)
        try await TestSupport.tearDown(services)
    }

    @Test("rolling upgrade: a build keeps serving a schema a newer build expanded, and never migrates it")
    func olderBuildServesNewerSchema() async throws {
        let services = try await TestSupport.isolatedServices()
        let organisation = try await services.organisations.create(
            slug: "r-\(TestSupport.uniqueSuffix())", name: "Rolling", management: nil)
        let current = services.migrator.tenantMigrations
        let newest = try #require(current.map(\.version).max())
        // What the next release brings: expand only (a column with a default, an index).
        let expand = Migration(
            version: newest + 1, name: "\(newest + 1)_goals_review_note.sql",
            sql: "ALTER TABLE goals ADD COLUMN review_note text NOT NULL DEFAULT ''; CREATE INDEX goals_review ON goals (updated_at);")
        _ = try await migrator(services, tenant: current + [expand]).migrate()

        // The running (older) build: nothing keeps `serve` from running; strictly, the schema is ahead.
        #expect(try await services.migrator.problems(allowingNewer: true).isEmpty)
        #expect(try await services.migrator.problems().contains { $0.contains("\(newest + 1)") })
        // …and it still works against the expanded tables: a goal proposed, moved and read back.
        let member = try await TestSupport.member(services, organisation, role: .management)
        let goal = try await services.inOrganisation(member) { connection in
            try await services.goals.create(
                NewGoalInput(title: "Laajennettu", level: "organisation", catalogueGoalId: nil), by: member, on: connection)
        }
        let moved = try await services.inOrganisation(member) { connection in
            try await services.goals.transition(goal.id, TransitionInput(to: "shortlisted", reason: "r"), by: member, on: connection)
        }
        #expect(moved.status == .shortlisted && moved.title == "Laajennettu")
        // The older build never migrates over a newer schema.
        await #expect(throws: MigrationError.self) { try await services.migrator.migrate() }
        // A version unknown *inside* this build's range is still refused, even for serving.
        try await services.pool.query(
            "INSERT INTO \(identifier: organisation.schema.rawValue).schema_migrations (version, name, checksum) VALUES (0, '000_unknown.sql', 'x')"
        )
        #expect(try await services.migrator.problems(allowingNewer: true).contains { $0.contains("version 0") })
        try await TestSupport.tearDown(services)
    }

    @Test("an applied file whose text changed is refused with a message naming schema and file")
    func checksumMismatch() async throws {
        let services = try await TestSupport.isolatedServices(tenantMigrations: [Self.create])
        let organisation = try await organisations(services, count: 1)[0]
        let edited = Migration(version: 1, name: "001_notes.sql", sql: Self.create.sql + "\n-- edited")
        let runner = migrator(services, tenant: [edited, Self.addColumn])
        do {
            try await runner.migrate()
            Issue.record("a changed applied file must be refused")
        } catch let error as MigrationError {
            #expect("\(error)".contains(organisation.schema.rawValue))
            #expect("\(error)".contains("001_notes.sql"))
            #expect("\(error)".contains("changed after it was applied"))
        }
        #expect(try await versions(services, organisation) == [1])
        let problems = try await runner.problems()
        #expect(problems.count == 1 && problems[0].contains("changed after it was applied"))
        try await TestSupport.tearDown(services)
    }

    @Test("a failing tenant stops the run, names the schema and file, and a rerun resumes")
    func failureStopsAndResumes() async throws {
        let services = try await TestSupport.isolatedServices(tenantMigrations: [Self.create])
        let organisations = try await organisations(services, count: 3)
        let (first, failing, last) = (organisations[0], organisations[1], organisations[2])
        try await services.pool.query("CREATE TABLE \(identifier: failing.schema.rawValue).poison (x int)")
        let runner = migrator(services, tenant: [Self.create, Self.poisoned], parallelism: 1)
        do {
            try await runner.migrate()
            Issue.record("the poisoned schema must fail the run")
        } catch let error as MigrationError {
            let text = "\(error)"
            #expect(text.contains(failing.schema.rawValue))
            #expect(text.contains("002_notes_author.sql"))
            #expect(text.contains("poisoned schema"))
        }
        #expect(try await versions(services, first) == [1, 2])
        #expect(try await versions(services, failing) == [1])  // rolled back as a whole
        #expect(try await versions(services, last) == [1])  // never started
        let column = try await services.pool.query(
            "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = \(failing.schema.rawValue) AND table_name = 'notes' AND column_name = 'author'"
        )
        #expect(try column[0].decode("n", as: Int.self) == 0)

        try await services.pool.query("DROP TABLE \(identifier: failing.schema.rawValue).poison")
        let resumed = try await runner.migrate()
        #expect(resumed.tenantsMigrated == 2)
        for organisation in organisations { #expect(try await versions(services, organisation) == [1, 2]) }
        try await TestSupport.tearDown(services)
    }

    @Test("a schema ahead of the code is reported, and the server's start-up check lists what is pending")
    func aheadAndBehind() async throws {
        let services = try await TestSupport.isolatedServices(tenantMigrations: [Self.create, Self.addColumn])
        let organisation = try await organisations(services, count: 1)[0]
        let older = migrator(services, tenant: [Self.create])
        await #expect(throws: MigrationError.self) { try await older.migrate() }
        #expect(try await older.problems().first?.contains("does not know") == true)
        try await TestSupport.tearDown(services)
        _ = organisation
    }

    @Test("two migrators started together do not race")
    func concurrentMigrators() async throws {
        let services = try await TestSupport.isolatedServices(tenantMigrations: [Self.create])
        _ = try await organisations(services, count: 4)
        let runner = migrator(services, tenant: [Self.create, Self.addColumn])
        async let one = runner.migrate()
        async let two = runner.migrate()
        let reports = try await [one, two]
        #expect(reports.map(\.tenantsMigrated).sorted() == [0, 4])
        try await TestSupport.tearDown(services)
    }

    /// The platform's copy of one organisation's versions (sql/platform/012).
    func copiedVersions(_ services: AppServices, _ organisation: Organisation) async throws -> [Int] {
        try await services.pool.query(
            """
            SELECT version FROM \(identifier: services.migrator.platformSchema.rawValue).tenant_migrations
            WHERE schema_name = \(organisation.schema.rawValue) ORDER BY version
            """
        ).map { try $0.decode("version", as: Int.self) }
    }

    @Test("the platform's copy of each schema's versions follows creation, migration and rollback, and is rebuilt when missing")
    func versionCopy() async throws {
        let services = try await TestSupport.isolatedServices(tenantMigrations: [Self.create])
        let organisations = try await organisations(services, count: 3)
        let (first, failing, last) = (organisations[0], organisations[1], organisations[2])
        for organisation in organisations { #expect(try await copiedVersions(services, organisation) == [1]) }

        // A failing schema's copy rolls back with its migration; the others' copies move on.
        try await services.pool.query("CREATE TABLE \(identifier: failing.schema.rawValue).poison (x int)")
        let runner = migrator(services, tenant: [Self.create, Self.poisoned], parallelism: 1)
        await #expect(throws: MigrationError.self) { try await runner.migrate() }
        #expect(try await copiedVersions(services, first) == [1, 2])
        #expect(try await copiedVersions(services, failing) == [1])

        // A schema missing from the copy (as every schema is right after platform migration 012)
        // is read from its own table and copied, and its pending file applied.
        try await services.pool.query(
            "DELETE FROM \(identifier: services.migrator.platformSchema.rawValue).tenant_migrations WHERE schema_name = \(last.schema.rawValue)"
        )
        try await services.pool.query("DROP TABLE \(identifier: failing.schema.rawValue).poison")
        let resumed = try await runner.migrate()
        #expect(resumed.tenantsMigrated == 2)
        for organisation in organisations {
            #expect(try await copiedVersions(services, organisation) == [1, 2])
            #expect(try await versions(services, organisation) == [1, 2])
        }
        #expect(try await runner.migrate().tenantsMigrated == 0)

        // Destroying an organisation removes its copy too.
        try await services.organisations.destroy(slug: last.slug)
        #expect(try await copiedVersions(services, last).isEmpty)
        try await TestSupport.tearDown(services)
    }

    @Test("a schema whose own table went back (restored alone) is found by --recheck, not by the copy")
    func recheckReadsEverySchema() async throws {
        let services = try await TestSupport.isolatedServices(tenantMigrations: [Self.create])
        let organisation = try await organisations(services, count: 1)[0]
        let runner = migrator(services, tenant: [Self.create, Self.addColumn])
        #expect(try await runner.migrate().tenantsMigrated == 1)
        // As if the schema had been restored from before the second file: its own record and
        // its table are back at version 1, while the platform's copy still says 2.
        try await services.pool.query(
            "DELETE FROM \(identifier: organisation.schema.rawValue).schema_migrations WHERE version = 2")
        try await services.pool.query("ALTER TABLE \(identifier: organisation.schema.rawValue).notes DROP COLUMN author")
        #expect(try await runner.migrate().tenantsMigrated == 0)
        #expect(try await runner.problems().count == 1)  // the start-up check reads the schema's own table
        let rechecked = try await runner.migrate(recheck: true)
        #expect(rechecked.tenantsMigrated == 1 && rechecked.tenantFilesApplied == 1)
        #expect(try await versions(services, organisation) == [1, 2])
        #expect(try await runner.problems().isEmpty)
        try await TestSupport.tearDown(services)
    }
}
