import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Indicators added, edited and retired while a goal is worked on, their values' history kept")
struct IndicatorTests {
    static func indicators(_ answer: APIResponse) -> [[String: Any]] { answer.json["indicators"] as? [[String: Any]] ?? [] }

    @Test("management adds, edits and retires an organisation goal's indicators; values recorded stay; others are refused")
    func addEditRetire() async throws {
        try await APITestWorld.with { world, client in
            let management = world.a.tokens[.management]!
            let (goal, scheduled) = try await MilestoneTests.scheduledGoal(world, client, title: "Mitattava tavoite")
            #expect(Self.indicators(scheduled).isEmpty)

            let added = try await client.call(
                .post, "\(goal)/indicators", token: management,
                json: ["name": "Markkinavuoropuhelut", "unit": "kpl", "baseline": 2, "target": 10, "direction": "increase"])
            #expect(added.status == .created)
            let first = try #require(Self.indicators(added).first?["id"] as? String)
            #expect(Self.indicators(added).first?["retired"] as? Bool == false)

            // Only management sets an organisation goal's indicators; staff never do.
            let byLead = try await client.call(
                .post, "\(goal)/indicators", token: world.a.tokens[.lead]!, json: ["name": "X", "target": 1, "direction": "increase"])
            #expect(byLead.status == .forbidden)
            let byStaff = try await client.call(
                .patch, "\(goal)/indicators/\(first)", token: world.a.tokens[.staff]!, json: ["target": 12])
            #expect(byStaff.status == .forbidden)
            let invalid = try await client.call(.patch, "\(goal)/indicators/\(first)", token: management, json: ["target": 2])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.json["field"] as? String == "target" || "\(invalid.json)".contains("target"))

            // A check-in records a value; a new target applies from now on and the value stays.
            let checkIn = try await client.call(
                .post, "\(goal)/checkins", token: management,
                json: ["status": "on_track", "attainment": 40, "indicatorValues": [["indicatorId": first, "value": 6]]])
            #expect(checkIn.status == .created)
            let edited = try await client.call(
                .patch, "\(goal)/indicators/\(first)", token: management, json: ["target": 12, "name": "Vuoropuhelut"])
            #expect(edited.status == .ok)
            #expect(Self.indicators(edited).first?["name"] as? String == "Vuoropuhelut")
            #expect((Self.indicators(edited).first?["latestValue"] as? NSNumber)?.intValue == 6)

            // Retired: kept with its value, out of check-ins and the derived attainment.
            let retired = try await client.call(.patch, "\(goal)/indicators/\(first)", token: management, json: ["retired": true])
            #expect(retired.status == .ok)
            let kept = try #require(Self.indicators(retired).first)
            #expect(kept["retired"] as? Bool == true)
            #expect(kept["retiredAt"] as? String != nil)
            #expect((kept["latestValue"] as? NSNumber)?.intValue == 6)
            #expect((retired.json["progress"] as? [String: Any])?["derivedFrom"] as? String != "indicators")
            let late = try await client.call(
                .post, "\(goal)/checkins", token: management,
                json: ["status": "on_track", "attainment": 50, "indicatorValues": [["indicatorId": first, "value": 8]]])
            #expect(late.status == .unprocessableContent)
            let history = try await client.call(.get, "\(goal)/checkins", token: management)
            #expect("\(history.json)".contains(first))

            // Brought back, it counts again.
            let restored = try await client.call(.patch, "\(goal)/indicators/\(first)", token: management, json: ["retired": false])
            #expect(Self.indicators(restored).first?["retired"] as? Bool == false)
            #expect((restored.json["progress"] as? [String: Any])?["derivedFrom"] as? String == "indicators")
        }
    }

    @Test("replacing a goal's indicator list retires the ones with recorded values and removes the others")
    func replacingKeepsHistory() async throws {
        try await APITestWorld.with { world, client in
            let management = world.a.tokens[.management]!
            let (goal, scheduled) = try await MilestoneTests.scheduledGoal(world, client, title: "Korvattavat mittarit")
            func ifMatch(_ answer: APIResponse) -> HTTPFields { [.ifMatch: "\"v\(answer.json["version"] as? Int ?? 0)\""] }
            let two = try await client.call(
                .patch, goal, token: management,
                json: [
                    "indicators": [
                        ["name": "Pysyvä", "target": 3, "direction": "increase"],
                        ["name": "Mitattu", "target": 10, "direction": "increase"],
                        ["name": "Mittaamaton", "target": 5, "direction": "decrease"],
                    ]
                ], headers: ifMatch(scheduled))
            #expect(two.status == .ok)
            let measured = try #require(Self.indicators(two).dropFirst().first?["id"] as? String)
            _ = try await client.call(
                .post, "\(goal)/checkins", token: management,
                json: ["status": "on_track", "attainment": 10, "indicatorValues": [["indicatorId": measured, "value": 3]]])
            let replaced = try await client.call(
                .patch, goal, token: management, json: ["indicators": [["name": "Pysyvä", "target": 3, "direction": "increase"]]],
                headers: ifMatch(two))
            #expect(replaced.status == .ok)
            let names = Self.indicators(replaced).map { "\($0["name"] ?? "")|\($0["retired"] ?? "")" }
            #expect(names == ["Pysyvä|0", "Mitattu|1"] || names == ["Pysyvä|false", "Mitattu|true"], "\(names)")
        }
    }

    @Test("a goal whose work is over keeps its indicators as they were")
    func finalGoalRefuses() async throws {
        try await APITestWorld.with { world, client in
            let management = world.a.tokens[.management]!
            let (goal, _) = try await MilestoneTests.scheduledGoal(world, client, title: "Päättynyt")
            let closed = try await client.call(
                .post, "\(goal)/transitions", token: management, json: ["to": "achieved", "reason": "Valmis"])
            #expect(closed.status == .ok)
            let late = try await client.call(
                .post, "\(goal)/indicators", token: management, json: ["name": "Myöhäinen", "target": 1, "direction": "increase"])
            #expect(late.status == .conflict)
        }
    }
}
