import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Procurements, impact assessment and tasks")
struct ProcurementTaskTests {
    @Test("phase changes are recorded and the impact assessment compares target with achieved")
    func phasesAndImpact() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.lead]!
            let created = try await client.call(
                .post, "\(org)/procurements", token: token,
                json: [
                    "title": "Sähköautot", "reference": "HNK-2027-4", "category": "vehicles", "estimatedValue": 1250000.50,
                    "impact": ["target": ["responsibility": 2, "innovation": 1]],
                ])
            #expect(created.status == .created)
            #expect(created.json["estimatedValue"] as? Double == 1250000.5)
            #expect(created.string("phase") == "needs_assessment")
            #expect(created.json["leadId"] as? String == world.a.users[.lead]!.id.uuidString)
            let moved = try await client.call(
                .patch, "\(org)/procurements/\(created.id)", token: token,
                json: ["phase": "contract_management", "impact": ["achieved": ["responsibility": 1, "innovation": 2]]],
                headers: [.ifMatch: "\"v1\""])
            #expect(moved.status == .ok)
            let history = try #require(moved.json["phaseHistory"] as? [[String: Any]])
            #expect(history.map { $0["to"] as? String } == ["needs_assessment", "contract_management"])
            let impact = try #require(moved.json["impact"] as? [[String: Any]])
            #expect(impact.first { $0["theme"] as? String == "responsibility" }?["difference"] as? Int == -1)
            #expect(impact.first { $0["theme"] as? String == "innovation" }?["difference"] as? Int == 1)
            #expect(
                try await client.call(
                    .patch, "\(org)/procurements/\(created.id)", token: token, json: ["title": "x"], headers: [.ifMatch: "\"v1\""]
                ).status == .preconditionFailed)
            for (body, field) in [
                (["phase": "launch"], "phase"), (["impact": ["target": ["quality": 3]]], "impact.target.quality"),
                (["impact": ["target": ["fun": 1]]], "impact.target.fun"), (["estimatedValue": -1], "estimatedValue"),
            ] as [([String: Any], String)] {
                let response = try await client.call(
                    .patch, "\(org)/procurements/\(created.id)", token: token, json: body, headers: [.ifMatch: "\"v2\""])
                #expect(response.status == .unprocessableContent && response.string("field") == field, "\(response.text)")
            }
            #expect(try await client.call(.get, "\(org)/procurements?phase=contract_management", token: token).items.count == 1)
            #expect(try await client.call(.get, "\(org)/procurements?phase=needs_assessment", token: token).items.isEmpty)
        }
    }

    @Test("staff change only the status of tasks assigned to them; tasks?assignee=me lists them")
    func taskRules() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let lead = world.a.tokens[.lead]!
            let staff = world.a.tokens[.staff]!
            let staffID = world.a.users[.staff]!.id.uuidString
            let procurement = try await client.call(
                .post, "\(org)/procurements", token: lead, json: ["title": "Tulkkauspalvelut", "phase": "market_engagement"])
            let goal = try await client.call(
                .post, "\(org)/goals", token: lead, json: ["title": "Laatu", "level": "procurement", "procurementId": procurement.id])
            let mine = try await client.call(
                .post, "\(org)/procurements/\(procurement.id)/tasks", token: lead,
                json: ["title": "RFI", "goalId": goal.id, "assigneeId": staffID, "due": "2027-02-01"])
            #expect(mine.status == .created && mine.string("phase") == "market_engagement")
            let theirs = try await client.call(
                .post, "\(org)/procurements/\(procurement.id)/tasks", token: lead, json: ["title": "Hinnoittelu", "goalId": goal.id])
            #expect(
                try await client.call(.patch, "\(org)/tasks/\(mine.id)", token: staff, json: ["status": "done"]).string("status") == "done")
            #expect(try await client.call(.patch, "\(org)/tasks/\(theirs.id)", token: staff, json: ["status": "done"]).status == .forbidden)
            #expect(
                try await client.call(.patch, "\(org)/tasks/\(mine.id)", token: staff, json: ["assigneeId": NSNull()]).status == .forbidden)
            #expect(
                try await client.call(.patch, "\(org)/tasks/\(mine.id)", token: staff, json: ["status": "finished"]).status
                    == .unprocessableContent)
            let listed = try await client.call(.get, "\(org)/tasks?assignee=me", token: staff)
            #expect(listed.items.map { $0["id"] as? String } == [mine.id])
            #expect(try await client.call(.get, "\(org)/procurements/\(procurement.id)/tasks", token: staff).items.count == 2)
            // A task's goal must be the procurement's own or an organisation goal.
            let other = try await client.call(.post, "\(org)/procurements", token: lead, json: ["title": "Muu"])
            let wrong = try await client.call(
                .post, "\(org)/procurements/\(other.id)/tasks", token: lead, json: ["title": "x", "goalId": goal.id])
            #expect(wrong.status == .unprocessableContent && wrong.string("field") == "goalId")
            let orgGoal = try await client.call(.post, "\(org)/goals", token: lead, json: ["title": "Yhteinen", "level": "organisation"])
            #expect(
                try await client.call(
                    .post, "\(org)/procurements/\(other.id)/tasks", token: lead, json: ["title": "x", "goalId": orgGoal.id]
                ).status == .created)
        }
    }
}
