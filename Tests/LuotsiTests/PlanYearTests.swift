import Foundation
import HTTPTypes
import Testing

@testable import Luotsi

@Suite("Planning by year: goals carry a plan year, lists and pictures choose one, and unfinished goals roll over")
struct PlanYearTests {
    static let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())

    @Test("a goal's plan year: the current planning year for an idea, its start's year once scheduled; ?year= filters")
    func defaultsAndFilter() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let management = world.a.tokens[.management]!
            let idea = try await client.call(
                .post, "\(org)/goals", token: management, json: ["title": "Vuoden idea", "level": "organisation"])
            #expect(idea.json["planYear"] as? Int == Self.thisYear)
            let (scheduledPath, scheduled) = try await MilestoneTests.scheduledGoal(world, client, title: "Ensi vuoden tavoite")
            #expect(scheduled.json["planYear"] as? Int == 2027)
            #expect(!scheduledPath.isEmpty)

            let in2027 = try await client.call(.get, "\(org)/goals?year=2027", token: management)
            #expect(in2027.items.map { $0["title"] as? String } == ["Ensi vuoden tavoite"])
            let bad = try await client.call(.get, "\(org)/goals?year=1999", token: management)
            #expect(bad.status == .unprocessableContent && bad.string("field") == "year")

            // The organisation's planning year, once set, is where new goals go.
            let settings = try await client.call(.patch, "\(org)/settings", token: management, json: ["planningYear": 2030])
            #expect(settings.json["planningYear"] as? Int == 2030 && settings.json["planningYearSet"] as? Bool == true)
            let later = try await client.call(
                .post, "\(org)/goals", token: management, json: ["title": "Myöhempi", "level": "organisation"])
            #expect(later.json["planYear"] as? Int == 2030)
            let calendar = try await client.call(.patch, "\(org)/settings", token: management, json: ["planningYear": NSNull()])
            #expect(calendar.json["planningYear"] as? Int == Self.thisYear && calendar.json["planningYearSet"] as? Bool == false)

            let dashboard = try await client.call(.get, "\(org)/dashboard?year=2027", token: management)
            let counted = (dashboard.json["goalsByLevelAndStatus"] as? [[String: Any]])?.compactMap { $0["count"] as? Int }.reduce(0, +)
            #expect(counted == 1)
        }
    }

    @Test("one goal moves to another year with a reason kept in its history; a roll-over moves only unfinished goals, once")
    func moveAndRollOver() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let management = world.a.tokens[.management]!
            let (path, scheduled) = try await MilestoneTests.scheduledGoal(world, client, title: "Siirtyvä")
            let version = try #require(scheduled.json["version"] as? Int)
            let noReason = try await client.call(
                .patch, path, token: management, json: ["planYear": 2028], headers: [.ifMatch: "\"v\(version)\""])
            #expect(noReason.status == .unprocessableContent && noReason.string("field") == "reason")
            let byLead = try await client.call(
                .patch, path, token: world.a.tokens[.lead]!, json: ["planYear": 2028, "reason": "x"], headers: [.ifMatch: "\"v\(version)\""]
            )
            #expect(byLead.status == .forbidden)
            let moved = try await client.call(
                .patch, path, token: management, json: ["planYear": 2028, "reason": "Hankinta siirtyi"],
                headers: [.ifMatch: "\"v\(version)\""])
            #expect(moved.status == .ok && moved.json["planYear"] as? Int == 2028)
            let history = try await client.call(.get, "\(path)/transitions", token: management)
            let last = try #require(history.items.last)
            #expect(last["planYear"] as? Int == 2028 && last["reason"] as? String == "Hankinta siirtyi")

            // A finished goal of 2028 stays; the unfinished one moves, once.
            let (donePath, _) = try await MilestoneTests.scheduledGoal(world, client, title: "Valmis")
            let doneVersion = try #require(try await client.call(.get, donePath, token: management).json["version"] as? Int)
            _ = try await client.call(
                .patch, donePath, token: management, json: ["planYear": 2028, "reason": "Samalle vuodelle"],
                headers: [.ifMatch: "\"v\(doneVersion)\""])
            _ = try await client.call(.post, "\(donePath)/transitions", token: management, json: ["to": "achieved", "reason": "Tehty"])
            let rolled = try await client.call(.post, "\(org)/goals/rollover", token: management, json: ["from": 2028, "to": 2029])
            #expect(rolled.status == .ok)
            #expect(rolled.json["goalIds"] as? [String] == [moved.id])
            #expect(try await client.call(.get, donePath, token: management).json["planYear"] as? Int == 2028)
            let again = try await client.call(.post, "\(org)/goals/rollover", token: management, json: ["from": 2028, "to": 2029])
            #expect((again.json["goalIds"] as? [String])?.isEmpty == true)
            let same = try await client.call(.post, "\(org)/goals/rollover", token: management, json: ["from": 2029, "to": 2029])
            #expect(same.status == .unprocessableContent)
            let byLeadRoll = try await client.call(
                .post, "\(org)/goals/rollover", token: world.a.tokens[.lead]!, json: ["from": 2029, "to": 2030])
            #expect(byLeadRoll.status == .forbidden)
        }
    }

    @Test("management rolls a goal over on its page and the year's goals on the settings page")
    func pages() async throws {
        try await APITestWorld.with { world, client in
            let management = world.a.tokens[.management]!
            let csrf = CSRF.token(forSession: management)
            let (path, scheduled) = try await MilestoneTests.scheduledGoal(world, client, title: "Sivulta siirretty")
            let id = try #require(scheduled.json["id"] as? String)
            let page = try await client.page("/goals/\(id)?lang=en", session: management)
            #expect(page.html.contains("action=\"/goals/\(id)/plan-year\""))
            let refused = try await client.page(
                "/goals/\(id)/plan-year", method: .post, session: management,
                form: [("csrf", csrf), ("version", "\(scheduled.json["version"] as? Int ?? 0)"), ("planYear", "2028"), ("reason", " ")])
            #expect(refused.status == .unprocessableContent && refused.html.contains("href=\"#plan-year-reason\""))
            let moved = try await client.page(
                "/goals/\(id)/plan-year", method: .post, session: management,
                form: [
                    ("csrf", csrf), ("version", "\(scheduled.json["version"] as? Int ?? 0)"), ("planYear", "2028"),
                    ("reason", "Ensi vuonna"),
                ])
            #expect(moved.status == .seeOther)
            let after = try await client.page("/goals/\(id)?lang=en", session: management)
            #expect(after.html.contains("Moved to plan year 2028"))
            #expect(try await client.call(.get, path, token: management).json["planYear"] as? Int == 2028)

            _ = try await client.call(.patch, "/api/v1/orgs/\(world.a.slug)/settings", token: management, json: ["planningYear": 2028])
            let settings = try await client.page("/settings?lang=en", session: management)
            #expect(settings.html.contains("1 unfinished goal of 2028"))
            let rolled = try await client.page(
                "/settings/rollover", method: .post, session: management,
                form: [("csrf", csrf), ("from", "2028"), ("to", "2029"), ("reason", ""), ("makeCurrent", "yes")])
            #expect(rolled.status == .seeOther)
            #expect(try await client.call(.get, path, token: management).json["planYear"] as? Int == 2029)
            let now = try await client.call(.get, "/api/v1/orgs/\(world.a.slug)/settings", token: management)
            #expect(now.json["planningYear"] as? Int == 2029)
        }
    }
}
