import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

@Suite("The national catalogue")
struct CatalogueTests {
    /// Goal ids of the themes the reference marks `confirmed`, read from the reference itself.
    static func confirmedGoalCodes() throws -> [String] {
        let reference = TestSupport.repositoryRoot.deletingLastPathComponent().appendingPathComponent(
            "shared/reference/national-strategy.md")
        let text = try String(contentsOf: reference, encoding: .utf8)
        var codes: [String] = []
        var confirmed = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## ") { confirmed = line.contains("status: confirmed") }
            if confirmed, line.hasPrefix("| "), let match = line.firstMatch(of: /^\| ([A-Z]{2}-[0-9]+) \|/) {
                codes.append(String(match.1))
            }
        }
        return codes
    }

    @Test("the seed holds the 8 themes and every confirmed goal, named and described in fi, sv and en")
    func seedIsComplete() async throws {
        let confirmed = try Self.confirmedGoalCodes()
        #expect(confirmed.count == 19)
        try await APITestWorld.with { world, client in
            var themeCodes: [[String]] = []
            for language in ["fi", "sv", "en"] {
                let response = try await client.call(.get, "/api/v1/catalogue?lang=\(language)", token: world.a.tokens[.staff]!)
                #expect(response.status == .ok)
                #expect(response.string("language") == language)
                let themes = try #require(response.json["themes"] as? [[String: Any]])
                themeCodes.append(themes.compactMap { $0["code"] as? String })
                let goals = themes.flatMap { $0["goals"] as? [[String: Any]] ?? [] }
                #expect(Set(goals.compactMap { $0["code"] as? String }) == Set(confirmed), "\(language)")
                for item in themes + goals {
                    for key in ["name"] { #expect(!((item[key] as? String) ?? "").isEmpty) }
                }
                for goal in goals { #expect(!((goal["description"] as? String) ?? "").isEmpty) }
            }
            #expect(themeCodes.allSatisfy { $0 == ["SM", "CO", "KM", "FP", "IN", "EC", "SO", "EL"] })
            // Names really differ by language (not one text three times).
            let fi = try await client.call(.get, "/api/v1/catalogue?lang=fi", token: world.a.tokens[.staff]!)
            let sv = try await client.call(
                .get, "/api/v1/catalogue", token: world.a.tokens[.staff]!, headers: [.acceptLanguage: "sv-FI,sv;q=0.9"])
            #expect(fi.text.contains("Luonnon monimuotoisuus") && sv.text.contains("Biologisk mångfald"))
            let en = try await client.call(.get, "/api/v1/catalogue?lang=en", token: world.a.tokens[.staff]!)
            let innovation = (en.json["themes"] as? [[String: Any]])?.first { $0["code"] as? String == "IN" }
            let share =
                ((innovation?["goals"] as? [[String: Any]])?.first { $0["code"] as? String == "IN-3" }?["indicators"] as? [[String: Any]])?
                .first
            #expect(share?["target"] as? Double == 10)
            #expect(
                try await client.call(.get, "/api/v1/catalogue?lang=de", token: world.a.tokens[.staff]!).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/catalogue").status == .unauthorized)
        }
    }

    @Test("publishing and discarding the same draft at once: one wins, the other finds no draft (never a server error)")
    func publishAgainstDiscard() async throws {
        let services = try await TestSupport.isolatedServices()
        do {
            for round in 0..<12 {
                _ = try await services.catalogue.draft(create: true)
                let outcomes = await withTaskGroup(of: String.self) { group in
                    group.addTask {
                        do {
                            _ = try await services.catalogue.publishDraft(note: "race \(round)")
                            return "published"
                        } catch LuotsiError.notFound { return "no draft" } catch { return "\(error)" }
                    }
                    group.addTask {
                        do {
                            try await services.catalogue.discardDraft()
                            return "discarded"
                        } catch LuotsiError.notFound { return "no draft" } catch { return "\(error)" }
                    }
                    return await group.reduce(into: []) { $0.append($1) }.sorted()
                }
                // Exactly one of them took the draft; the other found none.
                #expect(outcomes == ["discarded", "no draft"] || outcomes == ["no draft", "published"], "round \(round): \(outcomes)")
            }
        } catch {
            try await TestSupport.tearDown(services)
            throw error
        }
        try await TestSupport.tearDown(services)
    }

    @Test("editing the draft while it is published: the edit lands before, or finds no draft (never a server error)")
    func editAgainstPublish() async throws {
        let services = try await TestSupport.isolatedServices()
        do {
            for round in 0..<12 {
                let draft = try await services.catalogue.draft(create: true)
                let code = try #require(draft.document.themes.flatMap(\.goals).first?.code)
                let outcomes = await withTaskGroup(of: String.self) { group in
                    group.addTask {
                        do {
                            _ = try await services.catalogue.publishDraft(note: "race \(round)")
                            return "published"
                        } catch { return "\(error)" }
                    }
                    group.addTask {
                        do {
                            _ = try await services.catalogue.updateDraftGoal(
                                code: code, name: Localized(fi: "Kisa \(round)", sv: "Tävling \(round)", en: "Race \(round)"),
                                description: nil)
                            return "edited"
                        } catch LuotsiError.notFound { return "no draft" } catch { return "\(error)" }
                    }
                    return await group.reduce(into: []) { $0.append($1) }.sorted()
                }
                #expect(outcomes == ["edited", "published"] || outcomes == ["no draft", "published"], "round \(round): \(outcomes)")
            }
        } catch {
            try await TestSupport.tearDown(services)
            throw error
        }
        try await TestSupport.tearDown(services)
    }

    @Test("a new version can be published; adopted goals keep their version and see what changed")
    func versioning() async throws {
        try await APITestWorld.with { world, client in
            let admin = world.adminToken
            let token = world.a.tokens[.management]!
            let catalogue = try await client.call(.get, "/api/v1/catalogue?lang=en", token: token)
            // The bundled files publish the first versions; the admin's draft becomes the next one.
            let base = try #require(catalogue.json["version"] as? Int)
            let goals = (catalogue.json["themes"] as? [[String: Any]] ?? []).flatMap { $0["goals"] as? [[String: Any]] ?? [] }
            let biodiversity = try #require(goals.first { $0["code"] as? String == "EL-2" }?["id"] as? String)
            let adopted = try await client.call(
                .post, "/api/v1/orgs/\(world.a.slug)/goals", token: token, json: ["level": "organisation", "catalogueGoalId": biodiversity])
            #expect(adopted.status == .created)
            #expect(adopted.string("title") == "Luonnon monimuotoisuus")
            #expect(adopted.string("themeCode") == "EL")

            #expect(try await client.call(.get, "/api/v1/platform/catalogue/draft", token: admin).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/platform/catalogue/draft", token: admin).status == .created)
            let edited = try await client.call(
                .patch, "/api/v1/platform/catalogue/draft/goals/EL-2", token: admin,
                json: [
                    "name": [
                        "fi": "Luonnon monimuotoisuuden turvaaminen", "sv": "Tryggad biologisk mångfald", "en": "Safeguarding biodiversity",
                    ]
                ])
            #expect(edited.status == .ok)
            let added = try await client.call(
                .post, "/api/v1/platform/catalogue/draft/themes/KM/goals", token: admin,
                json: [
                    "name": ["fi": "Tietovaranto", "sv": "Datalager", "en": "Data store"],
                    "description": ["fi": "k", "sv": "b", "en": "d"],
                ])
            #expect(added.status == .created && added.string("code") == "KM-1")
            let bad = try await client.call(
                .patch, "/api/v1/platform/catalogue/draft/goals/EL-2", token: admin, json: ["name": ["fi": "x", "sv": "", "en": "y"]])
            #expect(bad.status == .unprocessableContent && bad.string("field") == "name.sv")
            // Organisations still see the published version until the draft is published.
            #expect(try await client.call(.get, "/api/v1/catalogue", token: token).json["version"] as? Int == base)
            let published = try await client.call(
                .post, "/api/v1/platform/catalogue/draft/publish", token: admin, json: ["note": "wording"])
            #expect(published.json["version"] as? Int == base + 1)
            #expect(try await client.call(.get, "/api/v1/catalogue", token: token).json["version"] as? Int == base + 1)

            let goal = try await client.call(.get, "/api/v1/orgs/\(world.a.slug)/goals/\(adopted.id)", token: token)
            let ref = try #require(goal.json["catalogueGoal"] as? [String: Any])
            #expect(ref["version"] as? Int == base)
            #expect(ref["id"] as? String == biodiversity)
            #expect(ref["latestVersion"] as? Int == base + 1)
            #expect(ref["changedInLatest"] as? Bool == true)
            #expect(((ref["latest"] as? [String: Any])?["name"] as? [String: Any])?["en"] as? String == "Safeguarding biodiversity")

            let versions = try await client.call(.get, "/api/v1/platform/catalogue/versions", token: admin)
            #expect(versions.items.map { $0["version"] as? Int } == Array((1...base + 1).reversed()))
            let export = try await client.call(.get, "/api/v1/platform/catalogue/versions/\(base)", token: admin)
            #expect(export.text.contains("Luonnon monimuotoisuus") && !export.text.contains("Safeguarding"))
        }
    }

    @Test("references into the catalogue need no foreign key: only published rows are taken, and those are permanent")
    func publishedReferencesHold() async throws {
        try await APITestWorld.with { world, client in
            let admin = world.adminToken
            let token = world.a.tokens[.management]!
            let org = "/api/v1/orgs/\(world.a.slug)"
            let platform = world.services.migrator.platformSchema.rawValue
            let catalogue = try await client.call(.get, "/api/v1/catalogue?lang=en", token: token)
            let base = try #require(catalogue.json["version"] as? Int)
            let goals = (catalogue.json["themes"] as? [[String: Any]] ?? []).flatMap { $0["goals"] as? [[String: Any]] ?? [] }
            let share = try #require(goals.first { $0["code"] as? String == "IN-3" })
            let publishedIndicator = try #require((share["indicators"] as? [[String: Any]])?.first?["id"] as? String)
            func indicator(_ id: String) -> [String: Any] {
                ["name": "Innovaatiohankinnat", "unit": "%", "target": 10, "direction": "increase", "catalogueIndicatorId": id]
            }
            let goal = try await client.call(
                .post, "\(org)/goals", token: token, json: ["level": "organisation", "title": "Innovaatiot"])
            #expect(goal.status == .created)
            _ = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: token, json: ["to": "shortlisted", "reason": "r"])
            func schedule(_ indicatorID: String) async throws -> APIResponse {
                try await client.call(
                    .post, "\(org)/goals/\(goal.id)/transitions", token: token,
                    json: [
                        "to": "scheduled", "reason": "r", "ownerId": world.a.users[.lead]!.id.uuidString, "start": "2027-01-01",
                        "due": "2027-12-31", "indicators": [indicator(indicatorID)],
                    ])
            }

            // A draft's rows may still change or go, so neither its goal nor its indicator is taken.
            #expect(try await client.call(.post, "/api/v1/platform/catalogue/draft", token: admin).status == .created)
            let draftRows = try await world.services.pool.query(
                """
                SELECT g.id AS goal, i.id AS indicator FROM \(identifier: platform).catalogue_indicators i
                JOIN \(identifier: platform).catalogue_goals g ON g.id = i.goal_id
                WHERE g.version = \(base + 1) AND g.code = 'IN-3'
                """)
            let draftGoal: UUID = try draftRows[0].decode("goal")
            let draftIndicator: UUID = try draftRows[0].decode("indicator")
            let fromDraft = try await schedule(draftIndicator.uuidString)
            #expect(fromDraft.status == .notFound && fromDraft.string("field") == "indicators[0].catalogueIndicatorId")
            let adoptDraft = try await client.call(
                .post, "\(org)/goals", token: token, json: ["level": "organisation", "catalogueGoalId": draftGoal.uuidString])
            #expect(adoptDraft.status == .notFound && adoptDraft.string("field") == "catalogueGoalId")
            let etag = try #require(try await client.call(.get, "\(org)/goals/\(goal.id)", token: token).headers[.eTag])
            let alignDraft = try await client.call(
                .patch, "\(org)/goals/\(goal.id)", token: token, json: ["alignsTo": [draftGoal.uuidString]], headers: [.ifMatch: etag])
            #expect(alignDraft.status == .notFound && alignDraft.string("field") == "alignsTo")
            let scheduled = try await schedule(publishedIndicator)
            #expect(scheduled.status == .ok)
            #expect((scheduled.json["indicators"] as? [[String: Any]])?.first?["catalogueIndicatorId"] as? String == publishedIndicator)
            #expect(try await client.call(.delete, "/api/v1/platform/catalogue/draft", token: admin).status == .noContent)

            // The published version and everything in it stay, whoever writes to the tables.
            for statement: SQL in [
                "DELETE FROM \(identifier: platform).catalogue_versions WHERE version = \(base)",
                "UPDATE \(identifier: platform).catalogue_themes SET position = position + 1 WHERE version = \(base)",
                "DELETE FROM \(identifier: platform).catalogue_goals WHERE version = \(base)",
                "DELETE FROM \(identifier: platform).catalogue_indicators WHERE id = \(UUID(uuidString: publishedIndicator)!)",
            ] {
                await #expect(throws: PostgresError.self) { try await world.services.pool.query(statement) }
            }
            let still = try await client.call(.get, "\(org)/goals/\(goal.id)", token: token)
            #expect((still.json["indicators"] as? [[String: Any]])?.first?["catalogueIndicatorId"] as? String == publishedIndicator)
            // …and no organisation's table holds a foreign key into it (two triggers on the catalogue each).
            let keysFromOrganisations: Int = try await world.services.pool.query(
                """
                SELECT count(*) AS n FROM pg_constraint
                WHERE contype = 'f' AND connamespace <> \(platform)::regnamespace
                  AND confrelid IN (\(platform + ".catalogue_goals")::regclass, \(platform + ".catalogue_indicators")::regclass)
                """)[0].decode("n")
            #expect(keysFromOrganisations == 0)
        }
    }

    @Test("a bundled catalogue file published later becomes a new version, and goals adopted from the first keep it")
    func laterSeedIsANewVersion() async throws {
        let files = try CatalogueRepository.seedFiles(in: TestSupport.sqlDirectory.appendingPathComponent("catalogue"))
        #expect(files.count >= 2)
        let services = try await TestSupport.isolatedServices(catalogueSeeds: [files[0]])
        do {
            let first = try await services.catalogue.view(language: .en)
            #expect(first.version == 1)
            #expect(first.themes.first { $0.code == "EC" }?.goals.isEmpty == true)
            let organisation = try await services.organisations.create(
                slug: "seed-\(TestSupport.uniqueSuffix())", name: "Seed", management: nil)
            let member = try await TestSupport.member(services, organisation, role: .management)
            let biodiversity = try #require(first.themes.flatMap(\.goals).first { $0.code == "EL-2" })
            let adopted = try await services.inOrganisation(member) {
                try await services.goals.create(
                    NewGoalInput(title: nil, level: "organisation", catalogueGoalId: biodiversity.id), by: member, on: $0)
            }
            // Migrating again with the full set publishes the later file once, as the next version.
            let again = try AppServices(
                pool: services.pool, sqlDirectory: TestSupport.sqlDirectory, platformSchema: services.migrator.platformSchema)
            try await again.migrate()
            try await again.migrate()
            let latest = try await services.catalogue.view(language: .sv)
            #expect(latest.version == 2)
            #expect(try await services.catalogue.versions().count == 2)
            let economic = latest.themes.first { $0.code == "EC" }?.goals.map(\.code)
            #expect(economic == ["EC-1", "EC-2", "EC-3"])
            #expect(
                latest.themes.flatMap(\.goals).first { $0.code == "EC-1" }?.name
                    == "Med upphandlingarna bekämpar vi grå ekonomi och främjar skatteansvar")
            let kept = try await services.inOrganisation(member) { try await services.goals.get(adopted.id, viewer: member, on: $0) }
            #expect(kept.catalogueGoal?.version == 1)
            #expect(kept.catalogueGoal?.latestVersion == 2)
            #expect(kept.catalogueGoal?.changedInLatest == false)
        } catch {
            try await TestSupport.tearDown(services)
            throw error
        }
        try await TestSupport.tearDown(services)
    }
}
