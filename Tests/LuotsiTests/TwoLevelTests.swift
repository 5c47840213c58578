import Foundation
import HTTPTypes
import Testing

@testable import Luotsi

@Suite("Two levels in one tool: procurement goals support organisation goals, and national goals are adopted for either")
struct TwoLevelTests {
    @Test("a lead links a procurement goal on its page; the organisation goal lists it as a contribution and derives attainment")
    func contributions() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let management = world.a.tokens[.management]!
            let lead = world.a.tokens[.lead]!
            let leadSession = lead
            let (organisationGoal, _) = try await MilestoneTests.scheduledGoal(world, client, title: "Hiilineutraalit hankinnat")
            let organisationID = String(organisationGoal.split(separator: "/").last!)
            let procurement = try await client.call(.post, "\(org)/procurements", token: lead, json: ["title": "Sähköautot"]).id
            let goal = try await client.call(
                .post, "\(org)/goals", token: lead,
                json: ["title": "Päästötön kalusto", "level": "procurement", "procurementId": procurement])
            #expect(goal.status == .created)

            // On the goal page, the edit form offers the organisation goals (and the national ones) it can support.
            let page = try await client.page("/goals/\(goal.id)?lang=en", session: leadSession)
            #expect(page.html.contains("<option value=\"\(organisationID)\">Hiilineutraalit hankinnat</option>"))
            let saved = try await client.page(
                "/goals/\(goal.id)/edit", method: .post, session: leadSession,
                form: [
                    ("csrf", CSRF.token(forSession: leadSession)), ("version", "1"), ("title", "Päästötön kalusto"), ("description", ""),
                    ("priority", ""), ("alignsTo", organisationID), ("alignsTo", ""),
                ])
            #expect(saved.status == .seeOther, "\(saved.html.prefix(500))")
            let linked = try await client.call(.get, "\(org)/goals/\(goal.id)", token: lead)
            #expect(linked.json["alignsTo"] as? [String] == [organisationID])

            let contributionsBefore = try await client.call(.get, organisationGoal, token: management)
            let contribution = try #require((contributionsBefore.json["contributions"] as? [[String: Any]])?.first)
            #expect(contribution["goalId"] as? String == goal.id)
            #expect(contribution["procurementId"] as? String == procurement)
            #expect(contribution["status"] as? String == "idea")
            #expect(contribution["attainment"] == nil)
            // An idea is not worked yet: it does not count towards the organisation goal.
            #expect((contributionsBefore.json["progress"] as? [String: Any])?["derivedFrom"] == nil)

            _ = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: lead, json: ["to": "shortlisted", "reason": "Hyvä"])
            _ = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: lead,
                json: [
                    "to": "scheduled", "reason": "Sovittu", "ownerId": world.a.users[.lead]!.id.uuidString, "start": "2027-01-01",
                    "due": "2027-12-31",
                ])
            let checkIn = try await client.call(
                .post, "\(org)/goals/\(goal.id)/checkins", token: lead, json: ["status": "on_track", "attainment": 60])
            #expect(checkIn.status == .created)
            let after = try await client.call(.get, organisationGoal, token: management)
            let progress = after.json["progress"] as? [String: Any]
            #expect(progress?["derivedFrom"] as? String == "contributions")
            #expect(progress?["derivedAttainment"] as? Int == 60)
            #expect((after.json["contributions"] as? [[String: Any]])?.first?["attainment"] as? Int == 60)

            // Management sees it in the overall picture and on the organisation goal's page.
            let overview = try await client.page("/overview?lang=en&year=all", session: management)
            #expect(overview.html.contains("id=\"two-levels\""))
            #expect(overview.html.contains("Päästötön kalusto"))
            let organisationPage = try await client.page(
                "\(organisationGoal.replacingOccurrences(of: org, with: ""))?lang=en", session: management)
            #expect(organisationPage.html.contains("id=\"contributions\""))
            #expect(organisationPage.html.contains("Sähköautot"))
        }
    }

    @Test("a national goal is adopted for a procurement; a rejected adoption can be adopted again and the badge says rejected")
    func adoptAtProcurementLevelAndAgain() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let management = world.a.tokens[.management]!
            let catalogue = try await client.call(.get, "/api/v1/catalogue", token: management)
            let themes = try #require(catalogue.json["themes"] as? [[String: Any]])
            let national = try #require(
                themes.flatMap { ($0["goals"] as? [[String: Any]]) ?? [] }.first { $0["code"] as? String == "EL-2" })
            let nationalID = try #require(national["id"] as? String)
            let procurement = try await client.call(.post, "\(org)/procurements", token: management, json: ["title": "Puistojen hoito"]).id
            let csrf = CSRF.token(forSession: management)

            let adopted = try await client.page(
                "/catalogue/adopt", method: .post, session: management,
                form: [("csrf", csrf), ("catalogueGoalId", nationalID), ("procurementId", procurement)])
            #expect(adopted.status == .seeOther)
            let goalID = try #require(adopted.location?.firstMatch(of: /\/goals\/([0-9A-Fa-f-]{36})/).map { String($0.1) })
            let goal = try await client.call(.get, "\(org)/goals/\(goalID)", token: management)
            #expect(goal.string("level") == "procurement")
            #expect(goal.string("procurementId") == procurement)
            // Not renamed: every list reads the national goal's name in the reader's language.
            let swedishBoard = try await client.page("/funnel?lang=sv", session: management)
            #expect(swedishBoard.html.contains("Biologisk mångfald"))
            let englishReport = try await client.page("/report?lang=en&year=all", session: management)
            #expect(englishReport.html.contains("Biodiversity") || !englishReport.html.contains("Luonnon monimuotoisuus"))

            // For the organisation too; then rejected there: the catalogue says so, and offers it again.
            let forOrganisation = try await client.page(
                "/catalogue/adopt", method: .post, session: management,
                form: [("csrf", csrf), ("catalogueGoalId", nationalID), ("procurementId", "")])
            let organisationGoal = try #require(
                forOrganisation.location?.firstMatch(of: /\/goals\/([0-9A-Fa-f-]{36})/).map { String($0.1) })
            var page = try await client.page("/catalogue?lang=en", session: management)
            let card = { (html: String) in
                String(html.split(separator: "data-code=\"EL-2\"").dropFirst().first?.split(separator: "</li>\n    <li").first ?? "")
            }
            #expect(!card(page.html).contains("The whole organisation</option>"), "the organisation already has it in play")
            _ = try await client.call(
                .post, "\(org)/goals/\(organisationGoal)/transitions", token: management, json: ["to": "rejected", "reason": "Ei nyt"])
            page = try await client.page("/catalogue?lang=en", session: management)
            #expect(card(page.html).contains("status-rejected"))
            #expect(card(page.html).contains("The whole organisation</option>"))
            let again = try await client.page(
                "/catalogue/adopt", method: .post, session: management,
                form: [("csrf", csrf), ("catalogueGoalId", nationalID), ("procurementId", "")])
            #expect(again.status == .seeOther)
        }
    }
}
