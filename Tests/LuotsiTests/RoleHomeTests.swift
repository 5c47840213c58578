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
}
