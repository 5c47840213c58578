import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("The goal funnel")
struct FunnelTests {
    /// Allowed moves as PRODUCT.md states them.
    static let allowed: Set<String> = [
        "idea>shortlisted", "idea>rejected", "shortlisted>scheduled", "shortlisted>dropped", "scheduled>dropped",
        "scheduled>achieved", "scheduled>partly_achieved", "scheduled>not_achieved",
    ]

    /// The path from `idea` to each status.
    static let pathTo: [String: [String]] = [
        "idea": [], "shortlisted": ["shortlisted"], "scheduled": ["shortlisted", "scheduled"], "rejected": ["rejected"],
        "dropped": ["shortlisted", "dropped"], "achieved": ["shortlisted", "scheduled", "achieved"],
        "partly_achieved": ["shortlisted", "scheduled", "partly_achieved"], "not_achieved": ["shortlisted", "scheduled", "not_achieved"],
    ]

    func move(_ client: any TestClientProtocol, _ world: APITestWorld, _ id: String, to status: String) async throws -> APIResponse {
        var body: [String: Any] = ["to": status, "reason": "because \(status)"]
        if status == "scheduled" {
            body.merge(["ownerId": world.a.users[.lead]!.id.uuidString, "start": "2027-01-01", "due": "2027-12-31"]) { $1 }
        }
        return try await client.call(
            .post, "/api/v1/orgs/\(world.a.slug)/goals/\(id)/transitions", token: world.a.tokens[.management]!, json: body)
    }

    @Test("every allowed move succeeds and is audited; every other move is 409")
    func everyMove() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.management]!
            let statuses = GoalStatus.allCases.map(\.rawValue)
            for from in statuses {
                for to in statuses {
                    let goal = try await client.call(
                        .post, "\(org)/goals", token: token, json: ["title": "\(from) → \(to)", "level": "organisation"])
                    for step in Self.pathTo[from]! { #expect(try await move(client, world, goal.id, to: step).status == .ok) }
                    let response = try await move(client, world, goal.id, to: to)
                    if Self.allowed.contains("\(from)>\(to)") {
                        #expect(response.status == .ok, "\(from) → \(to): \(response.text)")
                        #expect(response.string("status") == to)
                        let audit = try await client.call(.get, "\(org)/audit?entity=goal&entityId=\(goal.id)", token: token)
                        let last = audit.items.first
                        #expect(last?["action"] as? String == "goal.transition")
                        #expect((last?["after"] as? [String: Any])?["status"] as? String == to)
                        #expect((last?["before"] as? [String: Any])?["status"] as? String == from)
                        let history = try await client.call(.get, "\(org)/goals/\(goal.id)/transitions", token: token)
                        #expect(history.items.last?["to"] as? String == to)
                        #expect(history.items.last?["reason"] as? String == "because \(to)")
                        if ["achieved", "partly_achieved", "not_achieved"].contains(to) {
                            #expect(response.string("evaluation") == "because \(to)")
                        }
                    } else {
                        #expect(response.status == .conflict, "\(from) → \(to) should be refused")
                        let unchanged = try await client.call(.get, "\(org)/goals/\(goal.id)", token: token)
                        #expect(unchanged.string("status") == from)
                    }
                }
            }
        }
    }

    @Test("scheduling needs owner, start and due; every move needs a reason")
    func schedulingNeedsItsFields() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.management]!
            let goal = try await client.call(
                .post, "\(org)/goals", token: token, json: ["title": "Aikataulutettava", "level": "organisation"])
            _ = try await move(client, world, goal.id, to: "shortlisted")
            let owner = world.a.users[.lead]!.id.uuidString
            for (body, field) in [
                (["to": "scheduled", "reason": "r", "start": "2027-01-01", "due": "2027-02-01"], "ownerId"),
                (["to": "scheduled", "reason": "r", "ownerId": owner, "due": "2027-02-01"], "start"),
                (["to": "scheduled", "reason": "r", "ownerId": owner, "start": "2027-01-01"], "due"),
                (["to": "scheduled", "reason": "r", "ownerId": owner, "start": "2027-03-01", "due": "2027-02-01"], "due"),
                (["to": "scheduled", "reason": "  ", "ownerId": owner, "start": "2027-01-01", "due": "2027-02-01"], "reason"),
                (["to": "scheduled", "reason": "r", "ownerId": owner, "start": "2027-02-30", "due": "2027-03-01"], "start"),
                (["to": "scheduled", "ownerId": owner, "start": "2027-01-01", "due": "2027-02-01"], "reason"),
            ] as [([String: String], String)] {
                let response = try await client.call(.post, "\(org)/goals/\(goal.id)/transitions", token: token, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.string("field") == field, "\(body): \(response.text)")
            }
            let lead = world.a.tokens[.lead]!
            let byLead = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: lead,
                json: ["to": "scheduled", "reason": "r", "ownerId": owner, "start": "2027-01-01", "due": "2027-02-01"])
            #expect(byLead.status == .forbidden, "leads do not schedule organisation-level goals")
            let scheduled = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: token,
                json: [
                    "to": "scheduled", "reason": "r", "ownerId": owner, "start": "2027-01-01", "due": "2027-12-31",
                    "milestones": [["title": "Kartoitus", "due": "2027-03-31"]],
                    "indicators": [["name": "Päästöt", "unit": "t CO2e", "baseline": 100, "target": 60, "direction": "decrease"]],
                ])
            #expect(scheduled.status == .ok)
            #expect((scheduled.json["milestones"] as? [Any])?.count == 1)
            let etag = try #require(scheduled.headers[.eTag])
            let leadReschedules = try await client.call(
                .patch, "\(org)/goals/\(goal.id)", token: lead, json: ["due": "2028-01-01"], headers: [.ifMatch: etag])
            #expect(leadReschedules.status == .forbidden, "the schedule of an organisation-level goal is management's")
            let leadRewords = try await client.call(
                .patch, "\(org)/goals/\(goal.id)", token: lead, json: ["description": "Tarkennettu"], headers: [.ifMatch: etag])
            #expect(leadRewords.status == .ok)
            #expect((scheduled.json["indicators"] as? [Any])?.count == 1)
        }
    }
}
