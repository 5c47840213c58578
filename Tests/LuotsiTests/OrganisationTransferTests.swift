import Foundation
import Hummingbird
import HummingbirdTesting
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
            "audit_log", "password_codes", "workshops", "workshop_participants", "workshop_ideas", "workshop_votes",
        ] {
            #expect(!(original[table] ?? []).isEmpty, "\(table) is empty in the export: the round trip would prove nothing about it")
        }
        #expect(Set(original.keys) == Set(OrganisationTransfer.tables))

        let copy = try await services.transfer.importOrganisation(full, slug: "copy-\(TestSupport.uniqueSuffix())", withSecrets: true)
        #expect(copy.name == organisation.name && copy.slug != organisation.slug && copy.schema != organisation.schema)
        let again = try await services.transfer.export(slug: copy.slug, withSecrets: true)
        // Join codes are unique over the platform: a copy imported beside its original gets new
        // ones for its workshops (and each is registered, so the copy's boards open by them).
        var copied = try Self.tables(again)
        let copiedCodes = (copied["workshops"] ?? []).compactMap { $0["join_code"] as? String }
        let originalCodes = (original["workshops"] ?? []).compactMap { $0["join_code"] as? String }
        #expect(copiedCodes.count == originalCodes.count && Set(copiedCodes).isDisjoint(with: originalCodes))
        for code in copiedCodes {
            #expect(try await services.workshopDirectory.find(code)?.schema == copy.schema)
        }
        copied["workshops"] = copied["workshops"]?.map { row in
            var row = row
            row["join_code"] = (original["workshops"] ?? []).first { $0["id"] as? String == row["id"] as? String }?["join_code"]
            return row
        }
        #expect(NSDictionary(dictionary: copied).isEqual(to: original))
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

    @Test("a file is outside data: secrets only when the operator asks, one settings row, values the pages can show")
    func fileIsNotTrusted() async throws {
        let services = try await TestSupport.isolatedServices()
        let organisation = try await Self.source(services)
        let full = try await services.transfer.export(slug: organisation.slug, withSecrets: true)
        // Without --with-secrets nothing secret is taken, whatever the file carries.
        let copy = try await services.transfer.importOrganisation(full, slug: "ns-\(TestSupport.uniqueSuffix())")
        let (codes, keys): (Int, Int) = try await services.tenants.withTenant(copy.schema) {
            (
                try await $0.query("SELECT count(*) AS n FROM password_codes").one().decode("n"),
                try await $0.query("SELECT count(*) AS n FROM users WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL").one()
                    .decode("n")
            )
        }
        #expect(codes == 0 && keys == 0)
        // Asking for secrets from a file that has none is a mistake worth saying.
        let plain = try await services.transfer.export(slug: organisation.slug)
        await #expect(throws: LuotsiError.self) {
            try await services.transfer.importOrganisation(plain, slug: "ws-\(TestSupport.uniqueSuffix())", withSecrets: true)
        }
        func refusal(_ change: (inout [String: [[String: Any]]]) -> Void) async throws -> String {
            var document = try Self.document(plain)
            var tables = try Self.tables(plain)
            change(&tables)
            document["tables"] = tables
            do {
                _ = try await services.transfer.importOrganisation(
                    try JSONSerialization.data(withJSONObject: document), slug: "bad-\(TestSupport.uniqueSuffix())")
                return "imported"
            } catch let error as LuotsiError {
                return "\(error)"
            }
        }
        #expect(try await refusal { $0["settings"] = [] }.hasPrefix("tables.settings:"))
        #expect(
            try await refusal { tables in tables["settings"] = (tables["settings"] ?? []) + (tables["settings"] ?? []) }.hasPrefix(
                "tables.settings:"))
        #expect(try await refusal { $0["goals"]?[0]["created_at"] = "infinity" }.hasPrefix("tables.goals.created_at:"))
        #expect(try await refusal { $0["goals"]?[0]["due_date"] = "10000-01-01" }.hasPrefix("tables.goals"))
        #expect(try await refusal { $0["goal_indicators"]?[0]["target"] = "NaN" }.hasPrefix("tables.goal_indicators.target:"))
        #expect(try await refusal { $0["goal_indicators"]?[0]["target"] = 1e300 }.hasPrefix("tables.goal_indicators"))

        // A number no Int holds in an audit row is shown, not trapped on.
        var document = try Self.document(plain)
        var tables = try Self.tables(plain)
        tables["audit_log"]?[0]["after"] = ["n": 1e300]
        document["tables"] = tables
        let odd = try await services.transfer.importOrganisation(
            try JSONSerialization.data(withJSONObject: document), slug: "odd-\(TestSupport.uniqueSuffix())")
        let managerID = try #require(
            UUID(uuidString: tables["users"]?.first { $0["role"] as? String == "management" }?["id"] as? String ?? ""))
        let session = try await services.sessions.start(organisationID: odd.id, userID: managerID)
        try await Application(router: buildRouter(services: services).router).test(.router) { client in
            let page = try await client.page("/audit", session: session)
            #expect(page.status == .ok && page.html.contains("1e+300"))
        }
        try await TestSupport.tearDown(services)
    }

    @Test("a clone keeps its people's ids, and a role read in one organisation is never served for the other")
    func memberCacheIsPerOrganisation() async throws {
        let services = try await TestSupport.isolatedServices()
        let organisation = try await Self.source(services)
        let clone = try await services.transfer.importOrganisation(
            try await services.transfer.export(slug: organisation.slug), slug: "clone-\(TestSupport.uniqueSuffix())")
        let lead: UUID = try await services.tenants.withTenant(organisation.schema) {
            try await $0.query("SELECT id FROM users WHERE role = 'lead'").one().decode("id")
        }
        try await services.tenants.withTenant(clone.schema) { try await $0.query("UPDATE users SET role = 'staff' WHERE id = \(lead)") }
        let there = try await services.sessions.resolve(try await services.sessions.start(organisationID: organisation.id, userID: lead))
        let here = try await services.sessions.resolve(try await services.sessions.start(organisationID: clone.id, userID: lead))
        guard case .member(let original)? = there, case .member(let copy)? = here else {
            Issue.record("both sessions resolve to members")
            try await TestSupport.tearDown(services)
            return
        }
        #expect(original.role == .lead && copy.role == .staff && copy.organisation.id == clone.id)
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
