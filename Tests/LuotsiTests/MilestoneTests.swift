import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Milestones ticked done and undone while a goal is followed up; the funnel's history with names")
struct MilestoneTests {
    /// An organisation-level goal of organisation A proposed, shortlisted ("Hyvä idea") and
    /// scheduled by management, owned by the lead, with `milestones`: the goal's address and the
    /// scheduling's answer.
    static func scheduledGoal(
        _ world: APITestWorld, _ client: any TestClientProtocol, title: String, milestones: [[String: String]] = []
    ) async throws -> (path: String, scheduled: APIResponse) {
        let org = "/api/v1/orgs/\(world.a.slug)"
        let management = world.a.tokens[.management]!
        let goal = try await client.call(.post, "\(org)/goals", token: management, json: ["title": title, "level": "organisation"])
        let path = "\(org)/goals/\(goal.id)"
        _ = try await client.call(.post, "\(path)/transitions", token: management, json: ["to": "shortlisted", "reason": "Hyvä idea"])
        let scheduled = try await client.call(
            .post, "\(path)/transitions", token: management,
            json: [
                "to": "scheduled", "reason": "Aikataulu sovittu", "ownerId": world.a.users[.lead]!.id.uuidString, "start": "2027-01-01",
                "due": "2027-06-30", "milestones": milestones,
            ])
        #expect(scheduled.status == .ok)
        return (path, scheduled)
    }

    @Test("whoever may check in ticks a milestone done and undoes it; who and when are kept; others are refused")
    func tickAndUndo() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let management = world.a.tokens[.management]!
            let lead = world.a.tokens[.lead]!
            let leadUser = world.a.users[.lead]!
            let (goals, scheduled) = try await Self.scheduledGoal(
                world, client, title: "Välitavoitteet",
                milestones: [["title": "Kartoitus", "due": "2027-03-31"], ["title": "Kilpailutus", "due": "2027-05-31"]])
            let ids = try #require((scheduled.json["milestones"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            #expect(ids.count == 2)
            func milestone(_ answer: APIResponse, _ index: Int) -> [String: Any] {
                (answer.json["milestones"] as? [[String: Any]])?[index] ?? [:]
            }

            // Staff follow up only their procurements' goals: this one is the organisation's.
            let staff = try await client.call(.patch, "\(goals)/milestones/\(ids[0])", token: world.a.tokens[.staff]!, json: ["done": true])
            #expect(staff.status == .forbidden)

            let ticked = try await client.call(.patch, "\(goals)/milestones/\(ids[0])", token: lead, json: ["done": true])
            #expect(ticked.status == .ok)
            #expect(ticked.headers[.eTag] != nil)
            #expect(milestone(ticked, 0)["done"] as? Bool == true)
            #expect(milestone(ticked, 0)["doneBy"] as? String == leadUser.id.uuidString)
            #expect(milestone(ticked, 0)["doneByName"] as? String == leadUser.name)
            let doneAt = try #require(milestone(ticked, 0)["doneAt"] as? String)
            #expect(milestone(ticked, 1)["done"] as? Bool == false)
            #expect(milestone(ticked, 1)["doneAt"] == nil)

            // Ticking it again changes nothing, not even when.
            let again = try await client.call(.patch, "\(goals)/milestones/\(ids[0])", token: management, json: ["done": true])
            #expect(again.status == .ok)
            #expect(milestone(again, 0)["doneAt"] as? String == doneAt)
            #expect(milestone(again, 0)["doneBy"] as? String == leadUser.id.uuidString)

            let undone = try await client.call(.patch, "\(goals)/milestones/\(ids[0])", token: management, json: ["done": false])
            #expect(undone.status == .ok)
            #expect(milestone(undone, 0)["done"] as? Bool == false)
            #expect(milestone(undone, 0)["doneAt"] == nil && milestone(undone, 0)["doneBy"] == nil)

            // Bad input names the field; unknown milestones are 404, also another goal's.
            for (body, field) in [(["done": "yes"], "done"), ([:], "done"), (["done": true, "when": "now"], "when")]
                as [([String: Any], String)]
            {
                let refused = try await client.call(.patch, "\(goals)/milestones/\(ids[1])", token: lead, json: body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.string("field") == field, "\(body): \(refused.text)")
            }
            #expect(try await client.call(.patch, "\(goals)/milestones/\(UUID())", token: lead, json: ["done": true]).status == .notFound)
            let other = try await client.call(.post, "\(org)/goals", token: management, json: ["title": "Toinen", "level": "organisation"])
            #expect(
                try await client.call(.patch, "\(org)/goals/\(other.id)/milestones/\(ids[1])", token: lead, json: ["done": true]).status
                    == .notFound)
            #expect(
                try await client.call(
                    .patch, "/api/v1/orgs/\(world.b.slug)/goals/\(goals.split(separator: "/").last ?? "")/milestones/\(ids[1])",
                    token: world.b.tokens[.lead]!,
                    json: ["done": true]
                ).status == .notFound)

            // The audit trail keeps each change: one tick, one undo (the repeated tick changed nothing).
            let audited: Int = try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query("SELECT count(*) AS n FROM audit_log WHERE action = 'goal.milestone'")[0].decode("n")
            }
            #expect(audited == 2)

            // Closed, the goal's milestones are no longer ticked.
            _ = try await client.call(.post, "\(goals)/transitions", token: management, json: ["to": "achieved", "reason": "Valmis"])
            #expect(try await client.call(.patch, "\(goals)/milestones/\(ids[1])", token: lead, json: ["done": true]).status == .conflict)

            // The funnel's history says who made each move.
            let history = try await client.call(.get, "\(goals)/transitions", token: world.a.tokens[.staff]!)
            #expect(history.items.map { $0["to"] as? String } == ["idea", "shortlisted", "scheduled", "achieved"])
            #expect(history.items.last?["actorName"] as? String == world.a.users[.management]!.name)
            #expect(history.items[1]["reason"] as? String == "Hyvä idea")
        }
    }
}

@Suite("Rescheduling a scheduled goal asks why and keeps it in the history")
struct RescheduleTests {
    @Test("a new owner or date of a scheduled goal needs a reason, recorded as a move from scheduled to scheduled")
    func rescheduleNeedsAReason() async throws {
        try await APITestWorld.with { world, client in
            let management = world.a.tokens[.management]!
            let (goals, scheduled) = try await MilestoneTests.scheduledGoal(world, client, title: "Siirtyvä")
            var etag = try #require(scheduled.headers[.eTag])
            for body in [["due": "2027-12-31"], ["due": "2027-12-31", "reason": "   "]] as [[String: String]] {
                let refused = try await client.call(.patch, goals, token: management, json: body, headers: [.ifMatch: etag])
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(refused.string("field") == "reason", "\(body): \(refused.text)")
            }
            let moved = try await client.call(
                .patch, goals, token: management, json: ["due": "2027-12-31", "reason": "Toimittaja myöhässä"], headers: [.ifMatch: etag])
            #expect(moved.status == .ok)
            #expect(moved.string("due") == "2027-12-31")
            etag = try #require(moved.headers[.eTag])
            // The same dates again change nothing, so nothing is asked or recorded.
            let same = try await client.call(.patch, goals, token: management, json: ["due": "2027-12-31"], headers: [.ifMatch: etag])
            #expect(same.status == .ok)
            // Neither is anything asked of a change that leaves the schedule alone.
            etag = try #require(same.headers[.eTag])
            #expect(try await client.call(.patch, goals, token: management, json: ["priority": 2], headers: [.ifMatch: etag]).status == .ok)

            let history = try await client.call(.get, "\(goals)/transitions", token: world.a.tokens[.staff]!)
            let last = try #require(history.items.last)
            #expect(history.items.count == 4)
            #expect(last["from"] as? String == "scheduled" && last["to"] as? String == "scheduled")
            #expect(last["reason"] as? String == "Toimittaja myöhässä")
            #expect(last["actorName"] as? String == world.a.users[.management]!.name)
        }
    }
}
