import Foundation
import Postgres
import Synchronization
import Testing

@testable import Luotsi

@Suite("Creating many organisations from a list")
struct OrganisationBatchTests {
    @Test("a list with bad lines is refused whole, every line named")
    func badListsAreRefused() throws {
        let list = "ok-1\tFine\nBad Slug\tX\nok-2\t   \nok-1\tAgain\njust-a-slug\n"
        do {
            _ = try OrganisationBatch.parse(list)
            Issue.record("a list with bad lines must be refused")
        } catch let error as LuotsiError {
            let text = "\(error)"
            #expect(text.contains("4 line(s)"))
            #expect(text.contains("line 2: slug"))
            #expect(text.contains("line 3: name"))
            #expect(text.contains("line 4: slug ok-1 is already on line 1"))
            #expect(text.contains("line 5: expected a slug, a tab and a name"))
        }
        #expect(throws: LuotsiError.self) { try OrganisationBatch.parse("# only a comment\n\n") }
        let entries = try OrganisationBatch.parse("# kunnat\r\nkunta-a\tKunta A, tekninen toimi\r\n\r\nkunta-b\t Kunta B \n")
        #expect(
            entries == [.init(line: 2, slug: "kunta-a", name: "Kunta A, tekninen toimi"), .init(line: 4, slug: "kunta-b", name: "Kunta B")])
    }

    @Test("creates each organisation with its schema, skips the ones present, and a second run creates nothing")
    func createsAndResumes() async throws {
        let services = try await TestSupport.isolatedServices()
        let suffix = TestSupport.uniqueSuffix()
        let existing = try await services.organisations.create(slug: "b0-\(suffix)", name: "Already here", management: nil)
        let list = (0..<6).map { "b\($0)-\(suffix)\tBatch \($0)" }.joined(separator: "\n")
        let entries = try OrganisationBatch.parse(list)
        let batch = OrganisationBatch(repository: services.organisations, jobs: 3)
        let reported = Mutex<[String: String]>([:])
        let summary = try await batch.create(entries) { entry, outcome in
            let word: String
            switch outcome {
            case .created(let organisation, let seconds):
                #expect(organisation.slug == entry.slug && seconds > 0)
                word = "created"
            case .alreadyPresent: word = "present"
            }
            reported.withLock { $0[entry.slug] = word }
        }
        #expect(summary == .init(created: 5, alreadyPresent: 1))
        #expect(reported.withLock { $0.count } == 6 && reported.withLock { $0[existing.slug] } == "present")

        // The one present is left as it was; the others are whole organisations.
        let all = try await services.organisations.list()
        #expect(all.first { $0.slug == existing.slug }?.name == "Already here")
        #expect(all.count == 6)
        #expect(try await services.migrator.problems().isEmpty)
        let audited = try await services.pool.query(
            "SELECT count(*) AS n FROM \(identifier: services.migrator.platformSchema.rawValue).platform_audit_log WHERE action = 'organisation.create'"
        )
        #expect(try audited[0].decode("n", as: Int.self) == 6)

        let again = try await batch.create(entries) { _, _ in }
        #expect(again == .init(created: 0, alreadyPresent: 6))
        try await TestSupport.tearDown(services)
    }

    @Test("a failure stops the run and names the organisation; what was created stays")
    func failureStops() async throws {
        // A tenant migration that fails once the platform holds a second organisation (the new
        // organisation's row is already in, in the same transaction): the second entry fails.
        let capped = Migration(
            version: 1, name: "001_capped.sql",
            sql: """
                CREATE TABLE notes (id serial PRIMARY KEY);
                DO $$ BEGIN
                    IF (SELECT count(*) FROM {{platform}}.organisations) >= 2 THEN RAISE EXCEPTION 'no room for more'; END IF;
                END $$;
                """)
        let services = try await TestSupport.isolatedServices(tenantMigrations: [capped])
        let suffix = TestSupport.uniqueSuffix()
        let entries = try OrganisationBatch.parse("f0-\(suffix)\tFirst\nf1-\(suffix)\tSecond\nf2-\(suffix)\tThird")
        let batch = OrganisationBatch(repository: services.organisations, jobs: 1)
        do {
            _ = try await batch.create(entries) { _, _ in }
            Issue.record("the second organisation must fail the run")
        } catch let error as OrganisationBatch.BatchError {
            #expect(error.entry.slug == "f1-\(suffix)")
            #expect("\(error)".contains("line 2") && "\(error)".contains("no room for more"))
        }
        // The first stays whole; the failing one left nothing; the third was never started.
        #expect(try await services.organisations.list().map(\.slug) == ["f0-\(suffix)"])
        #expect(try await services.migrator.problems().isEmpty)
        try await TestSupport.tearDown(services)
    }
}
