import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("The role × action matrix")
struct RoleMatrixTests {
    enum Caller: String, CaseIterable, Sendable {
        case platformAdmin, management, lead, staff
    }

    /// What PRODUCT.md says each role may do, written out independently of `Permissions.table`.
    static let expected: [Action: Set<Caller>] = [
        .readOrganisation: [.management, .lead, .staff],
        .manageUsers: [.management],
        .manageSettings: [.management],
        .proposeGoal: [.management, .lead, .staff],
        .editGoal: [.management, .lead],
        .siftGoal: [.management, .lead],
        .scheduleGoal: [.management, .lead],
        .scheduleOrganisationGoal: [.management],
        .discussGoal: [.management, .lead, .staff],
        .checkIn: [.management, .lead, .staff],
        .checkInAnyGoal: [.management, .lead],
        .manageProcurements: [.management, .lead],
        .manageTasks: [.management, .lead],
        .updateTask: [.management, .lead, .staff],
        .updateAnyTask: [.management, .lead],
        .readAudit: [.management],
        .export: [.management, .lead],
        .runWorkshop: [.management, .lead],
        .joinWorkshop: [.management, .lead, .staff],
        .facilitateAnyWorkshop: [.management],
        .manageOrganisations: [.platformAdmin],
        .manageCatalogue: [.platformAdmin],
        .readRollup: [.platformAdmin],
        .manageMail: [.platformAdmin],
    ]

    @Test("the code's permission table is the product's")
    func tableMatchesProduct() {
        #expect(Set(Self.expected.keys) == Set(Action.allCases))
        for action in Action.allCases {
            for caller in Caller.allCases {
                let role = AccessRole(rawValue: caller == .platformAdmin ? "platform_admin" : caller.rawValue)!
                #expect(Permissions.allows(role, action) == Self.expected[action]!.contains(caller), "\(caller) × \(action)")
            }
        }
    }

    @Test("every role × action pair is allowed (2xx) or denied (403) through the API", .serialized, arguments: Action.allCases)
    func everyPairThroughTheAPI(action: Action) async throws {
        try await APITestWorld.with { world, client in
            let fixture = try await Fixture.make(world, client)
            for caller in Caller.allCases {
                let token = caller == .platformAdmin ? world.adminToken : world.a.tokens[Role(rawValue: caller.rawValue)!]!
                let (method, path, body) = try await fixture.probe(action, by: caller)
                let response = try await client.call(
                    method, path, token: token, json: body, headers: fixture.headers(for: action, path: path))
                if Self.expected[action]!.contains(caller) {
                    #expect((200..<300).contains(response.status.code), "\(caller) × \(action): \(response.status) \(response.text)")
                } else {
                    #expect(response.status == .forbidden, "\(caller) × \(action): \(response.status) \(response.text)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    /// Objects that the probes act on, made by management.
    struct Fixture {
        let world: APITestWorld
        let client: any TestClientProtocol
        let procurementID: String
        let scheduledGoalID: String
        let staffTaskID: String
        /// Scheduled, in a procurement where neither the lead nor staff is lead or member.
        let outsideGoalID: String
        /// Assigned to management.
        let managementTaskID: String
        /// Gathering ideas; facilitated by management.
        let workshopID: String
        var org: String { "/api/v1/orgs/\(world.a.slug)" }
        var management: String { world.a.tokens[.management]! }

        static func make(_ world: APITestWorld, _ client: any TestClientProtocol) async throws -> Fixture {
            let org = "/api/v1/orgs/\(world.a.slug)"
            let management = world.a.tokens[.management]!
            let procurement = try await client.call(
                .post, "\(org)/procurements", token: management,
                json: [
                    "title": "Koulukuljetukset", "leadId": world.a.users[.lead]!.id.uuidString,
                    "memberIds": [world.a.users[.staff]!.id.uuidString],
                ])
            let goal = try await client.call(
                .post, "\(org)/goals", token: management,
                json: ["title": "Päästöttömät kuljetukset", "level": "procurement", "procurementId": procurement.id])
            try await move(client, org, management, goal.id, ["shortlisted"])
            let scheduled = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: management,
                json: [
                    "to": "scheduled", "reason": "go", "ownerId": world.a.users[.staff]!.id.uuidString, "start": "2027-01-01",
                    "due": "2027-12-31",
                ])
            #expect(scheduled.status == .ok, "\(scheduled.text)")
            let task = try await client.call(
                .post, "\(org)/procurements/\(procurement.id)/tasks", token: management,
                json: ["title": "Markkinakartoitus", "goalId": goal.id, "assigneeId": world.a.users[.staff]!.id.uuidString])
            let outside = try await client.call(
                .post, "\(org)/procurements", token: management,
                json: ["title": "Johdon oma hankinta", "leadId": world.a.users[.management]!.id.uuidString])
            let outsideGoal = try await client.call(
                .post, "\(org)/goals", token: management,
                json: ["title": "Johdon tavoite", "level": "procurement", "procurementId": outside.id])
            try await move(client, org, management, outsideGoal.id, ["shortlisted"])
            let outsideScheduled = try await client.call(
                .post, "\(org)/goals/\(outsideGoal.id)/transitions", token: management,
                json: [
                    "to": "scheduled", "reason": "go", "ownerId": world.a.users[.management]!.id.uuidString, "start": "2027-01-01",
                    "due": "2027-12-31",
                ])
            #expect(outsideScheduled.status == .ok, "\(outsideScheduled.text)")
            let managementTask = try await client.call(
                .post, "\(org)/procurements/\(procurement.id)/tasks", token: management,
                json: ["title": "Johdon tehtävä", "goalId": goal.id, "assigneeId": world.a.users[.management]!.id.uuidString])
            let workshop = try await client.call(.post, "\(org)/workshops", token: management, json: ["title": "Tavoitetyöpaja"])
            return Fixture(
                world: world, client: client, procurementID: procurement.id, scheduledGoalID: goal.id, staffTaskID: task.id,
                outsideGoalID: outsideGoal.id, managementTaskID: managementTask.id, workshopID: workshop.id)
        }

        static func move(_ client: any TestClientProtocol, _ org: String, _ token: String, _ id: String, _ steps: [String]) async throws {
            for step in steps {
                let response = try await client.call(
                    .post, "\(org)/goals/\(id)/transitions", token: token, json: ["to": step, "reason": "test"])
                #expect(response.status == .ok, "\(response.text)")
            }
        }

        func freshGoal(level: String = "organisation", shortlisted: Bool = false) async throws -> String {
            var body: [String: Any] = ["title": "Idea \(UUID().uuidString.prefix(6))", "level": level]
            if level == "procurement" { body["procurementId"] = procurementID }
            let goal = try await client.call(.post, "\(org)/goals", token: management, json: body)
            if shortlisted { try await Self.move(client, org, management, goal.id, ["shortlisted"]) }
            return goal.id
        }

        func headers(for action: Action, path: String) -> HTTPFields {
            action == .editGoal ? [.ifMatch: "\"v1\""] : [:]
        }

        /// A valid request for `action`, so that an allowed caller succeeds.
        func probe(_ action: Action, by caller: Caller) async throws -> (HTTPRequest.Method, String, [String: Any]?) {
            switch action {
            case .readOrganisation: return (.get, "\(org)/goals", nil)
            case .manageUsers:
                return (
                    .post, "\(org)/users",
                    [
                        "email": "new-\(caller)-\(UUID().uuidString.prefix(6))@a.example", "name": "Uusi", "role": "staff",
                        "password": "long enough password",
                    ]
                )
            case .manageSettings: return (.patch, "\(org)/settings", ["checkinDueDays": 45])
            case .proposeGoal: return (.post, "\(org)/goals", ["title": "Ehdotus", "level": "organisation"])
            case .editGoal: return (.patch, "\(org)/goals/\(try await freshGoal())", ["title": "Muokattu"])
            case .siftGoal: return (.post, "\(org)/goals/\(try await freshGoal())/transitions", ["to": "shortlisted", "reason": "hyvä"])
            case .scheduleGoal:
                return (
                    .post, "\(org)/goals/\(try await freshGoal(level: "procurement", shortlisted: true))/transitions",
                    [
                        "to": "scheduled", "reason": "aikataulu", "ownerId": world.a.users[.lead]!.id.uuidString, "start": "2027-01-01",
                        "due": "2027-06-30",
                    ]
                )
            case .scheduleOrganisationGoal:
                return (
                    .post, "\(org)/goals/\(try await freshGoal(level: "organisation", shortlisted: true))/transitions",
                    [
                        "to": "scheduled", "reason": "johdon linjaus", "ownerId": world.a.users[.management]!.id.uuidString,
                        "start": "2027-01-01", "due": "2027-06-30",
                    ]
                )
            case .checkInAnyGoal: return (.post, "\(org)/goals/\(outsideGoalID)/checkins", ["status": "at_risk", "attainment": 20])
            case .updateAnyTask: return (.patch, "\(org)/tasks/\(managementTaskID)", ["status": "doing"])
            case .discussGoal: return (.post, "\(org)/goals/\(scheduledGoalID)/comments", ["text": "Kannatan!"])
            case .checkIn: return (.post, "\(org)/goals/\(scheduledGoalID)/checkins", ["status": "on_track", "attainment": 40])
            case .manageProcurements: return (.post, "\(org)/procurements", ["title": "Siivouspalvelut"])
            case .manageTasks:
                return (.post, "\(org)/procurements/\(procurementID)/tasks", ["title": "Tehtävä", "goalId": scheduledGoalID])
            case .updateTask: return (.patch, "\(org)/tasks/\(staffTaskID)", ["status": "doing"])
            case .readAudit: return (.get, "\(org)/audit", nil)
            case .export: return (.get, "\(org)/export?what=goals", nil)
            case .runWorkshop: return (.post, "\(org)/workshops", ["title": "Työpaja"])
            case .joinWorkshop: return (.post, "\(org)/workshops/\(workshopID)/ideas", ["text": "Idea \(caller.rawValue)"])
            // Management's workshop: a lead, who runs workshops of their own, may not move it.
            case .facilitateAnyWorkshop: return (.post, "\(org)/workshops/\(workshopID)/phase", ["phase": "voting"])
            case .manageOrganisations: return (.get, "/api/v1/platform/organisations", nil)
            case .manageCatalogue: return (.get, "/api/v1/platform/catalogue/versions", nil)
            case .readRollup: return (.get, "/api/v1/platform/rollup", nil)
            case .manageMail: return (.get, "/api/v1/platform/mail", nil)
            }
        }
    }
}
