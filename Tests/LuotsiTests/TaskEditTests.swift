import Foundation
import HTTPTypes
import Testing

@testable import Luotsi

@Suite("A task's title, goal, due date and phase change after it is added")
struct TaskEditTests {
    @Test("a task moves to another goal of its procurement or an organisation goal; never to another procurement's")
    func taskChangesGoal() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let lead = world.a.tokens[.lead]!
            let staff = world.a.users[.staff]!
            func procurement(_ title: String) async throws -> String {
                try await client.call(.post, "\(org)/procurements", token: lead, json: ["title": title]).id
            }
            func goal(_ title: String, in procurement: String?) async throws -> String {
                var body: [String: Any] = ["title": title, "level": procurement == nil ? "organisation" : "procurement"]
                if let procurement { body["procurementId"] = procurement }
                return try await client.call(.post, "\(org)/goals", token: lead, json: body).id
            }
            let first = try await procurement("Ensimmäinen")
            let second = try await procurement("Toinen")
            let (goalOne, goalTwo, goalElsewhere) = (
                try await goal("Yksi", in: first), try await goal("Kaksi", in: first), try await goal("Muualla", in: second)
            )
            let organisationGoal = try await goal("Koko organisaatio", in: nil)
            let task = try await client.call(
                .post, "\(org)/procurements/\(first)/tasks", token: lead,
                json: ["title": "Markkinakartoitus", "goalId": goalOne, "assigneeId": staff.id.uuidString])
            #expect(task.status == .created)
            let path = "\(org)/tasks/\(task.id)"

            let elsewhere = try await client.call(.patch, path, token: lead, json: ["goalId": goalElsewhere])
            #expect(elsewhere.status == .unprocessableContent)
            #expect(elsewhere.string("field") == "goalId")
            let none = try await client.call(.patch, path, token: lead, json: ["goalId": NSNull()])
            #expect(none.status == .unprocessableContent)
            #expect(none.string("field") == "goalId")
            let unknown = try await client.call(.patch, path, token: lead, json: ["goalId": UUID().uuidString])
            #expect(unknown.status == .notFound)
            #expect(unknown.string("field") == "goalId")
            // The assignee changes only the status of their own task.
            let byStaff = try await client.call(.patch, path, token: world.a.tokens[.staff]!, json: ["goalId": goalTwo])
            #expect(byStaff.status == .forbidden)

            let moved = try await client.call(
                .patch, path, token: lead,
                json: ["goalId": goalTwo, "title": "Markkinakartoitus ja RFI", "due": "2027-04-30", "phase": "market_engagement"])
            #expect(moved.status == .ok)
            #expect(moved.string("goalId") == goalTwo)
            #expect(moved.string("title") == "Markkinakartoitus ja RFI")
            #expect(moved.string("due") == "2027-04-30")
            #expect(moved.string("phase") == "market_engagement")
            let toOrganisation = try await client.call(.patch, path, token: lead, json: ["goalId": organisationGoal])
            #expect(toOrganisation.status == .ok)
            #expect(toOrganisation.string("goalId") == organisationGoal)
        }
    }
}
