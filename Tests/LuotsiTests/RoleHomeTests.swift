import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Each role's home lists what that person can act on, and a page says who acts")
struct RoleHomeTests {
    @Test("shortlisted organisation goals: not on a lead's next actions, on management's decisions, and their page says who schedules")
    func organisationGoalsAreManagements() async throws {
        try await WebWorld.with { world, client in
            let organisationGoal = try await world.goalID("shortlisted", level: "organisation", client: client)
            let procurementGoal = try await world.goalID("shortlisted", level: "procurement", client: client)

            let nextActions = try await client.page("/next-actions?lang=en", session: world.token(.lead))
            #expect(nextActions.status == .ok)
            #expect(!nextActions.html.contains("/goals/\(organisationGoal)\""), "a lead is offered a goal only management schedules")
            #expect(nextActions.html.contains("/goals/\(procurementGoal)\""), "the lead's own kind of goal is missing")

            let overview = try await client.page("/overview?lang=en", session: world.token(.management))
            #expect(overview.html.contains("shortlisted organisation goal is waiting for management to schedule it"))
            #expect(overview.html.contains("/goals?status=shortlisted&amp;level=organisation"))

            let asLead = try await client.page("/goals/\(organisationGoal)?lang=en", session: world.token(.lead))
            #expect(asLead.html.contains("Management schedules organisation-level goals."))
            #expect(!asLead.html.contains("/goals/\(organisationGoal)/schedule\""))
            let asManagement = try await client.page("/goals/\(organisationGoal)?lang=en", session: world.token(.management))
            #expect(asManagement.html.contains("/goals/\(organisationGoal)/schedule\""))
            #expect(!asManagement.html.contains("Management schedules organisation-level goals."))
            let staffFunnel = try await client.page("/funnel?lang=en", session: world.token(.staff))
            #expect(staffFunnel.status == .ok)
            #expect(!staffFunnel.html.contains("<form method=\"post\" action=\"/goals/"), "staff are offered a move on the funnel")
        }
    }

    @Test("a staff member who owns an organisation goal finds it in My work and checks in on it")
    func ownerFollowsUp() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let management = world.a.tokens[.management]!
            let staff = world.a.tokens[.staff]!
            let goal = try await client.call(
                .post, "\(org)/goals", token: management, json: ["title": "Oma tavoite", "level": "organisation"])
            _ = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: management, json: ["to": "shortlisted", "reason": "Hyvä"])
            let before = try await client.call(
                .post, "\(org)/goals/\(goal.id)/checkins", token: staff, json: ["status": "on_track", "attainment": 10])
            #expect(before.status == .conflict || before.status == .forbidden)
            _ = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: management,
                json: [
                    "to": "scheduled", "reason": "Sovittu", "ownerId": world.a.users[.staff]!.id.uuidString, "start": "2027-01-01",
                    "due": "2027-12-31",
                ])
            let myWork = try await client.page("/my-work?lang=en", session: staff)
            #expect(myWork.html.contains("id=\"my-goals\""))
            #expect(myWork.html.contains("href=\"/goals/\(goal.id)#checkin\""))
            let checkIn = try await client.call(
                .post, "\(org)/goals/\(goal.id)/checkins", token: staff, json: ["status": "on_track", "attainment": 20])
            #expect(checkIn.status == .created)
        }
    }
}
