import Foundation
import HTTPTypes
import Testing

@testable import Luotsi

@Suite("The catalogue editor completes the catalogue; scheduling offers its indicators")
struct CatalogueEditorTests {
    @Test(
        "the administrator adds a KM goal with an indicator and publishes; management adopts it for a procurement and is offered the indicator"
    )
    func addPublishAdoptSchedule() async throws {
        try await APITestWorld.with { world, client in
            let admin = world.adminToken
            let adminCSRF = CSRF.token(forSession: admin)
            let started = try await client.page("/platform/catalogue/draft", method: .post, session: admin, form: [("csrf", adminCSRF)])
            #expect(started.status == .seeOther)
            let editor = try await client.page("/platform/catalogue?lang=en", session: admin)
            #expect(editor.html.contains("href=\"/platform/catalogue/draft/themes/KM/goals/new\""))

            // A missing Swedish description is refused naming its field; nothing is stored.
            var form: [(String, String)] = [
                ("csrf", adminCSRF), ("name-fi", "Hankintatiedon kattavuus"), ("name-sv", "Upphandlingsdatans täckning"),
                ("name-en", "Coverage of procurement data"), ("description-fi", "Hankinnoista kertyy vertailukelpoista tietoa."),
                ("description-sv", ""), ("description-en", "Procurement produces comparable data."),
                ("indicators-0-code", ""), ("indicators-0-name-fi", "Julkaistujen hankintojen osuus"),
                ("indicators-0-name-sv", "Andel publicerade upphandlingar"), ("indicators-0-name-en", "Share of procurements published"),
                ("indicators-0-description-fi", "Osuus kaikista hankinnoista."),
                ("indicators-0-description-sv", "Andel av alla upphandlingar."),
                ("indicators-0-description-en", "Share of all procurements."), ("indicators-0-unit", "%"),
                ("indicators-0-direction", "increase"), ("indicators-0-target", "80"), ("indicators-0-targetYear", "2030"),
            ]
            let refused = try await client.page("/platform/catalogue/draft/themes/KM/goals", method: .post, session: admin, form: form)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("href=\"#description-sv\""))
            form[5] = ("description-sv", "Upphandlingarna ger jämförbar information.")
            let added = try await client.page("/platform/catalogue/draft/themes/KM/goals", method: .post, session: admin, form: form)
            let summary = added.html.components(separatedBy: "error-summary-title").dropFirst().joined().prefix(900)
            #expect(added.status == .seeOther, "\(summary)")
            #expect(added.location?.hasPrefix("/platform/catalogue/draft/goals/KM-1") == true)
            let intention = try await client.page(
                "/platform/catalogue/draft/themes/KM", method: .post, session: admin,
                form: [
                    ("csrf", adminCSRF), ("name-fi", "Tiedolla johtaminen ja vaikuttavuus"),
                    ("name-sv", "Kunskapsbaserad ledning och verkningsfullhet"),
                    ("name-en", "Knowledge-based management and impact"), ("statement-fi", "Johdamme hankintoja tiedolla."),
                    ("statement-sv", "Vi leder upphandlingarna med kunskap."), ("statement-en", "We manage procurement with data."),
                ])
            #expect(intention.status == .seeOther)
            let published = try await client.page(
                "/platform/catalogue/draft/publish", method: .post, session: admin, form: [("csrf", adminCSRF), ("note", "KM-tavoitteet")])
            #expect(published.status == .seeOther)

            // Management finds it in Swedish, adopts it for a procurement, and scheduling offers the indicator.
            let management = world.a.tokens[.management]!
            let org = "/api/v1/orgs/\(world.a.slug)"
            let procurement = try await client.call(
                .post, "\(org)/procurements", token: management, json: ["title": "Hankintatietojärjestelmä"]
            ).id
            let catalogue = try await client.page("/catalogue?lang=sv", session: management)
            #expect(catalogue.html.contains("KM-1 Upphandlingsdatans täckning"))
            #expect(catalogue.html.contains("Vi leder upphandlingarna med kunskap."))
            let national = try await client.call(.get, "/api/v1/catalogue", token: management)
            let km = try #require(
                (national.json["themes"] as? [[String: Any]])?.flatMap { ($0["goals"] as? [[String: Any]]) ?? [] }.first {
                    $0["code"] as? String == "KM-1"
                })
            let adopted = try await client.page(
                "/catalogue/adopt?lang=sv", method: .post, session: management,
                form: [
                    ("csrf", CSRF.token(forSession: management)), ("catalogueGoalId", try #require(km["id"] as? String)),
                    ("procurementId", procurement),
                ])
            let goalID = try #require(adopted.location?.firstMatch(of: /\/goals\/([0-9A-Fa-f-]{36})/).map { String($0.1) })
            let goal = try await client.call(.get, "\(org)/goals/\(goalID)", token: management)
            #expect(goal.string("level") == "procurement" && goal.string("title") == "Upphandlingsdatans täckning")
            // Each reader sees the national name in their own language until the goal is renamed.
            #expect(
                try await client.page("/goals/\(goalID)?lang=en", session: management).html.contains(
                    "<h1>Coverage of procurement data</h1>"))
            _ = try await client.call(
                .post, "\(org)/goals/\(goalID)/transitions", token: management, json: ["to": "shortlisted", "reason": "Tärkeä"])
            let schedule = try await client.page("/goals/\(goalID)/schedule?lang=en", session: management)
            #expect(schedule.html.contains("value=\"Share of procurements published\""))
            #expect(schedule.html.contains("name=\"indicators-0-target\" type=\"text\" inputmode=\"decimal\" value=\"80\""))
            let indicatorID = try #require(km["indicators"].flatMap { ($0 as? [[String: Any]])?.first?["id"] as? String })
            #expect(schedule.html.contains("value=\"\(indicatorID)\""))
            let scheduled = try await client.page(
                "/goals/\(goalID)/transitions", method: .post, session: management,
                form: [
                    ("csrf", CSRF.token(forSession: management)), ("to", "scheduled"), ("reason", "Aikataulu"),
                    ("ownerId", world.a.users[.lead]!.id.uuidString), ("start", "2027-01-01"), ("due", "2027-12-31"),
                    ("indicators-0-name", "Share of procurements published"), ("indicators-0-unit", "%"), ("indicators-0-baseline", "40"),
                    ("indicators-0-target", "80"), ("indicators-0-direction", "increase"),
                    ("indicators-0-catalogueIndicatorId", indicatorID),
                ])
            #expect(scheduled.status == .seeOther, "\(scheduled.html.prefix(300))")
            let after = try await client.call(.get, "\(org)/goals/\(goalID)", token: management)
            #expect((after.json["indicators"] as? [[String: Any]])?.first?["catalogueIndicatorId"] as? String == indicatorID)
        }
    }

    @Test("a retired goal leaves the next version; its adopters are told the newest version dropped it")
    func retire() async throws {
        try await APITestWorld.with { world, client in
            let admin = world.adminToken
            let csrf = CSRF.token(forSession: admin)
            let management = world.a.tokens[.management]!
            let national = try await client.call(.get, "/api/v1/catalogue", token: management)
            let so2 = try #require(
                (national.json["themes"] as? [[String: Any]])?.flatMap { ($0["goals"] as? [[String: Any]]) ?? [] }.first {
                    $0["code"] as? String == "SO-2"
                })
            let goal = try await client.call(
                .post, "/api/v1/orgs/\(world.a.slug)/goals", token: management,
                json: ["level": "organisation", "catalogueGoalId": try #require(so2["id"] as? String)])
            _ = try await client.page("/platform/catalogue/draft", method: .post, session: admin, form: [("csrf", csrf)])
            let retired = try await client.page(
                "/platform/catalogue/draft/goals/SO-2/retire", method: .post, session: admin, form: [("csrf", csrf)])
            #expect(retired.status == .seeOther)
            let published = try await client.page(
                "/platform/catalogue/draft/publish", method: .post, session: admin, form: [("csrf", csrf), ("note", "SO-2 pois")])
            #expect(published.status == .seeOther, "\(published.html.prefix(2000))")
            let after = try await client.call(.get, "/api/v1/catalogue", token: management)
            #expect(!after.text.contains("\"SO-2\""))
            let adopted = try await client.call(.get, "/api/v1/orgs/\(world.a.slug)/goals/\(goal.id)", token: management)
            #expect((adopted.json["catalogueGoal"] as? [String: Any])?["changedInLatest"] as? Bool == true, "\(adopted.json)")
        }
    }
}
