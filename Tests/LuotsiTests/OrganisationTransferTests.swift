import Foundation
import Postgres
import Testing

@testable import Luotsi

@Suite("Organisation export and import")
struct OrganisationTransferTests {
    static func document(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func tables(_ data: Data) throws -> [String: [[String: Any]]] {
        try #require(try document(data)["tables"] as? [String: [[String: Any]]])
    }

    /// A rich organisation: the demo's content, one person with a second factor, one password code.
    static func source(_ services: AppServices) async throws -> Organisation {
        let organisation = try await services.organisations.create(
            slug: "src-\(TestSupport.uniqueSuffix())", name: "Lähde \"kaupunki\"", management: nil)
        let people = try await services.tenants.withTenant(organisation.schema) { connection in
            try await [Role.management, .lead, .staff].asyncMap { role in
                try await UserRepository.insert(
                    NewUser(email: "\(role.rawValue)@source.example", name: "\(role.rawValue) henkilö", password: "x"), role: role,
                    passwordHash: "$2b$12$secret.hash.of.\(role.rawValue)", on: connection)
            }
        }
        try await DemoContent(services: services, organisation: organisation, management: people[0], lead: people[1], staff: people[2])
            .seed()
        let management = Identity.Member(
            id: people[0].id, email: people[0].email, name: people[0].name, role: .management, organisation: organisation, language: nil)
        try await services.tenants.withTenant(organisation.schema) { connection in
            try await connection.query("UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP' WHERE id = \(people[1].id)")
            _ = try await services.passwords.issueCode(for: people[2].id, by: management, on: connection)
        }
        return organisation
    }

    @Test("export → import → export: every table the same under a new slug; secrets only when asked")
    func roundTrip() async throws {
        let services = try await TestSupport.isolatedServices()
        let organisation = try await Self.source(services)
        let full = try await services.transfer.export(slug: organisation.slug, withSecrets: true)
        let original = try Self.tables(full)
        for table in [
            "users", "goals", "goal_transitions", "checkins", "checkin_indicator_values", "procurements", "tasks", "goal_comments",
            "audit_log", "password_codes",
        ] {
            #expect(!(original[table] ?? []).isEmpty, "\(table) is empty in the export: the round trip would prove nothing about it")
        }
        #expect(Set(original.keys) == Set(OrganisationTransfer.tables))

        let copy = try await services.transfer.importOrganisation(full, slug: "copy-\(TestSupport.uniqueSuffix())")
        #expect(copy.name == organisation.name && copy.slug != organisation.slug && copy.schema != organisation.schema)
        let again = try await services.transfer.export(slug: copy.slug, withSecrets: true)
        #expect(NSDictionary(dictionary: try Self.tables(again)).isEqual(to: original))
        #expect(try Self.document(again)["schemaVersion"] as? Int == Self.document(full)["schemaVersion"] as? Int)
        // The copy is an organisation like any other: its people can work in it.
        let lead = try #require(original["users"]?.first { $0["role"] as? String == "lead" })
        let member = Identity.Member(
            id: try #require(UUID(uuidString: lead["id"] as? String ?? "")), email: "lead@source.example", name: "lead", role: .lead,
            organisation: copy, language: nil)
        let goals = try await services.readingOrganisation(member) {
            try await services.goals.list(
                status: nil, level: nil, procurementID: nil, page: PageRequest(limit: 200), viewer: member, on: $0)
        }
        #expect(goals.items.count == original["goals"]?.count)
        let proposed = try await services.inOrganisation(member) {
            try await services.goals.create(
                NewGoalInput(title: "Kopiossa", level: "organisation", catalogueGoalId: nil), by: member, on: $0)
        }
        #expect(proposed.title == "Kopiossa")

        // Without secrets: no hashes, keys or codes leave, and nobody can sign in with an old password.
        let plain = try await services.transfer.export(slug: organisation.slug)
        let plainTables = try Self.tables(plain)
        #expect(plainTables["password_codes"] == nil)
        #expect(plainTables["users"]?.allSatisfy { $0["password_hash"] == nil && $0["totp_secret"] == nil } == true)
        #expect(!String(decoding: plain, as: UTF8.self).contains("secret.hash.of"))
        let plainCopy = try await services.transfer.importOrganisation(plain, slug: "plain-\(TestSupport.uniqueSuffix())")
        let hashes: [String] = try await services.tenants.withTenant(plainCopy.schema) {
            try await $0.query("SELECT password_hash FROM users").map { try $0.decode("password_hash") }
        }
        #expect(hashes.count == 3 && hashes.allSatisfy { $0.hasPrefix("$2") && !$0.contains("secret.hash.of") })
        let audit: [String] = try await services.pool.query(
            "SELECT action FROM \(identifier: services.migrator.platformSchema.rawValue).platform_audit_log ORDER BY at"
        ).map { try $0.decode("action") }
        #expect(audit.filter { $0 == "organisation.export" }.count == 3 && audit.filter { $0 == "organisation.import" }.count == 2)
        try await TestSupport.tearDown(services)
    }

    @Test("a file that does not fit is refused with the field named, and leaves no organisation behind")
    func badFilesAreRefused() async throws {
        let services = try await TestSupport.isolatedServices()
        let organisation = try await Self.source(services)
        let good = try Self.document(try await services.transfer.export(slug: organisation.slug))
        func attempt(_ change: (inout [String: Any]) -> Void, slug: String? = nil) async throws -> LuotsiError? {
            var document = good
            change(&document)
            let data = try JSONSerialization.data(withJSONObject: document)
            do {
                _ = try await services.transfer.importOrganisation(data, slug: slug ?? "bad-\(TestSupport.uniqueSuffix())")
                return nil
            } catch let error as LuotsiError {
                return error
            }
        }
        let before = try await services.organisations.list().count
        #expect(try await attempt { $0["format"] = "something else" }.map { "\($0)" }?.contains("format") == true)
        #expect(try await attempt { $0["schemaVersion"] = 1 }.map { "\($0)" }?.contains("schemaVersion") == true)
        #expect(try await attempt { $0["tables"] = ["goals": [Any]()] }.map { "\($0)" }?.contains("tables.users") == true)
        #expect(
            try await attempt { document in
                var tables = document["tables"] as! [String: Any]
                var goals = tables["goals"] as! [[String: Any]]
                goals[0]["status"] = "nonsense"
                tables["goals"] = goals
                document["tables"] = tables
            }.map { "\($0)" }?.contains("tables.goals") == true)
        if case .conflict? = try await attempt({ _ in }, slug: organisation.slug) {
        } else {
            Issue.record("an existing slug must be a conflict")
        }
        #expect(try await services.organisations.list().count == before)
        await #expect(throws: LuotsiError.self) {
            try await services.transfer.importOrganisation(Data("not json".utf8), slug: "x-\(TestSupport.uniqueSuffix())")
        }
        try await TestSupport.tearDown(services)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
