import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

@Suite("Notifications: written with the event, for whom it concerns, never for what one did oneself")
struct NotificationTests {
    static func notifications(_ client: some TestClientProtocol, _ token: String, unread: Bool = false) async throws -> [[String: Any]] {
        try await client.call(.get, "/api/v1/me/notifications\(unread ? "?unread=true" : "")", token: token).items
    }

    @Test("a rejected idea tells its proposer, with the reason; the one who decided is told nothing; sifters hear of new ideas")
    func decisionReachesProposer() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let (staff, lead, management) = (world.a.tokens[.staff]!, world.a.tokens[.lead]!, world.a.tokens[.management]!)
            let idea = try await client.call(
                .post, "\(org)/goals", token: staff, json: ["title": "Kierrätyskalusteet", "level": "organisation"])
            let goalID = try #require(idea.string("id"))
            // Those who sift hear of the idea; its proposer does not.
            for token in [lead, management] {
                let waiting = try await Self.notifications(client, token).filter { $0["kind"] as? String == "idea_waiting" }
                #expect(waiting.map { $0["goalId"] as? String } == [goalID])
            }
            #expect(try await Self.notifications(client, staff).isEmpty)

            let rejected = try await client.call(
                .post, "\(org)/goals/\(goalID)/transitions", token: lead,
                json: ["to": "rejected", "reason": "Sisältyy jo toiseen tavoitteeseen"])
            #expect(rejected.status == .ok)
            let mine = try await Self.notifications(client, staff)
            #expect(mine.count == 1)
            let decision = try #require(mine.first)
            #expect(decision["kind"] as? String == "idea_decision")
            #expect(decision["toStatus"] as? String == "rejected")
            #expect(decision["reason"] as? String == "Sisältyy jo toiseen tavoitteeseen")
            #expect(decision["actorName"] as? String == world.a.users[.lead]!.name)
            #expect(decision["read"] as? Bool == false)
            #expect(decision["path"] as? String == "/goals/\(goalID.lowercased())")
            // The lead who decided has no word of their own decision.
            #expect(try await Self.notifications(client, lead).allSatisfy { $0["kind"] as? String != "idea_decision" })

            // Read: one by id, then the count in the answer; someone else's id changes nothing.
            let leadsOwn = try #require(try await Self.notifications(client, lead).first?["id"] as? String)
            let foreign = try await client.call(.post, "/api/v1/me/notifications/read", token: staff, json: ["ids": [leadsOwn]])
            #expect(foreign.json["unread"] as? Int == 1)
            let read = try await client.call(
                .post, "/api/v1/me/notifications/read", token: staff, json: ["ids": [try #require(decision["id"] as? String)]])
            #expect(read.status == .ok)
            #expect(read.json["unread"] as? Int == 0)
            #expect(try await Self.notifications(client, staff, unread: true).isEmpty)
            #expect(try await Self.notifications(client, lead, unread: true).count == 1)
            let all = try await client.call(.post, "/api/v1/me/notifications/read", token: lead, json: ["all": true])
            #expect(all.json["unread"] as? Int == 0)

            // Bad requests are 422 naming the field; a platform administrator has no notifications.
            for body: [String: Any] in [
                [:], ["ids": ["x"]], ["all": false], ["ids": [], "all": true], ["ids": [], "all": NSNull()], ["ids": NSNull()],
                ["all": NSNull()],
            ] {
                let bad = try await client.call(.post, "/api/v1/me/notifications/read", token: staff, json: body)
                #expect(bad.status == .unprocessableContent, "\(body)")
            }
            let admin = try await client.call(.get, "/api/v1/me/notifications", token: world.adminToken)
            #expect(admin.status == .forbidden)
        }
    }

    @Test("a task given to someone, a comment or support on their proposal, a change to a goal they own: each tells them once")
    func tasksCommentsAndOwnedGoals() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let (staff, lead, management) = (world.a.tokens[.staff]!, world.a.tokens[.lead]!, world.a.tokens[.management]!)
            let staffID = world.a.users[.staff]!.id.uuidString
            let procurement = try #require(
                try await client.call(
                    .post, "\(org)/procurements", token: lead, json: ["title": "Siivous", "memberIds": [staffID]]
                ).string("id"))
            let idea = try #require(
                try await client.call(
                    .post, "\(org)/goals", token: staff,
                    json: ["title": "Ympäristömerkityt aineet", "level": "procurement", "procurementId": procurement]
                ).string("id"))
            _ = try await client.call(.post, "\(org)/goals/\(idea)/comments", token: lead, json: ["text": "Hyvä ajatus"])
            _ = try await client.call(.post, "\(org)/goals/\(idea)/comments", token: staff, json: ["text": "Kiitos"])
            _ = try await client.call(.post, "\(org)/goals/\(idea)/support", token: management)
            _ = try await client.call(.post, "\(org)/goals/\(idea)/support", token: staff)
            let kinds = try await Self.notifications(client, staff).compactMap { $0["kind"] as? String }
            #expect(kinds.sorted() == ["idea_comment", "idea_support"])

            _ = try await client.call(
                .post, "\(org)/goals/\(idea)/transitions", token: lead, json: ["to": "shortlisted", "reason": "jatkoon"])
            let scheduled = try await client.call(
                .post, "\(org)/goals/\(idea)/transitions", token: lead,
                json: ["to": "scheduled", "reason": "aikataulu", "ownerId": staffID, "start": "2027-01-01", "due": "2027-06-30"])
            #expect(scheduled.status == .ok)
            // Two decisions on the proposal; the owner (the same person) is not told twice.
            let decisions = try await Self.notifications(client, staff).filter { $0["kind"] as? String == "idea_decision" }
            #expect(decisions.compactMap { $0["toStatus"] as? String }.sorted() == ["scheduled", "shortlisted"])
            #expect(try await Self.notifications(client, staff).allSatisfy { $0["kind"] as? String != "goal_changed" })

            // Someone else changes the goal: its owner hears once, however many changes follow unread.
            for title in ["Ympäristömerkityt aineet 2027", "Ympäristömerkityt siivousaineet"] {
                let version = try #require(try await client.call(.get, "\(org)/goals/\(idea)", token: lead).headers[.eTag])
                let changed = try await client.call(
                    .patch, "\(org)/goals/\(idea)", token: lead, json: ["title": title], headers: [.ifMatch: version])
                #expect(changed.status == .ok)
            }
            #expect(try await Self.notifications(client, staff).filter { $0["kind"] as? String == "goal_changed" }.count == 1)
            // The owner's own check-in tells nobody; the lead's tells the owner (already told: no repeat).
            _ = try await client.call(.post, "\(org)/goals/\(idea)/checkins", token: staff, json: ["status": "on_track", "attainment": 10])
            #expect(try await Self.notifications(client, lead).allSatisfy { $0["kind"] as? String != "goal_changed" })

            // A task: its assignee is told; giving oneself a task tells nobody.
            let task = try await client.call(
                .post, "\(org)/procurements/\(procurement)/tasks", token: lead,
                json: ["title": "Tarjouspyynnön liite", "goalId": idea, "assigneeId": staffID, "due": "2027-02-01"])
            #expect(task.status == .created)
            let given = try await Self.notifications(client, staff).filter { $0["kind"] as? String == "task_assigned" }
            #expect(given.count == 1)
            #expect(given.first?["taskTitle"] as? String == "Tarjouspyynnön liite")
            #expect(given.first?["path"] as? String == "/my-work")
            _ = try await client.call(
                .post, "\(org)/procurements/\(procurement)/tasks", token: lead,
                json: ["title": "Oma tehtävä", "goalId": idea, "assigneeId": world.a.users[.lead]!.id.uuidString])
            #expect(try await Self.notifications(client, lead).allSatisfy { $0["kind"] as? String != "task_assigned" })
            // Organisation B hears nothing of A.
            #expect(try await Self.notifications(client, world.b.tokens[.staff]!).isEmpty)
        }
    }

    @Test("the digest choice: weekly by default, set and read back, audited; anything else is 422")
    func reminderChoice() async throws {
        try await APITestWorld.with { world, client in
            let staff = world.a.tokens[.staff]!
            let initial = try await client.call(.get, "/api/v1/me/reminders", token: staff)
            #expect(initial.json["email"] as? String == "weekly")
            #expect(initial.json["emailConfigured"] as? Bool == true)
            let daily = try await client.call(.patch, "/api/v1/me/reminders", token: staff, json: ["email": "daily"])
            #expect(daily.json["email"] as? String == "daily")
            #expect(try await client.call(.get, "/api/v1/me/reminders", token: staff).json["email"] as? String == "daily")
            for body: [String: Any] in [["email": "hourly"], ["email": 3], [:], ["email": "off", "sms": "on"]] {
                #expect(try await client.call(.patch, "/api/v1/me/reminders", token: staff, json: body).status == .unprocessableContent)
            }
            let audit = try await client.call(
                .get, "/api/v1/orgs/\(world.a.slug)/audit?entity=user", token: world.a.tokens[.management]!)
            #expect(audit.items.contains { $0["action"] as? String == "user.reminders" })
            #expect(try await client.call(.get, "/api/v1/me/reminders", token: world.adminToken).status == .forbidden)
        }
    }
}
