import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Organisations never see each other's data")
struct IsolationTests {
    @Test("none of B's calls returns, changes or reveals A's data")
    func organisationBCannotReachA() async throws {
        try await APITestWorld.with { world, client in
            let orgA = "/api/v1/orgs/\(world.a.slug)"
            let orgB = "/api/v1/orgs/\(world.b.slug)"
            let aToken = world.a.tokens[.management]!
            // A's content.
            let procurement = try await client.call(
                .post, "\(orgA)/procurements", token: aToken, json: ["title": "Alpha secret procurement"])
            let goal = try await client.call(
                .post, "\(orgA)/goals", token: aToken,
                json: ["title": "Alpha secret goal", "level": "procurement", "procurementId": procurement.id])
            let task = try await client.call(
                .post, "\(orgA)/procurements/\(procurement.id)/tasks", token: aToken,
                json: ["title": "Alpha secret task", "goalId": goal.id])
            #expect(task.status == .created)
            let aUser = world.a.users[.staff]!.id.uuidString
            let missing = UUID().uuidString

            for role in Role.allCases {
                let token = world.b.tokens[role]!
                // A's organisation path with B's session: 404, the same as an organisation that does not exist.
                for (method, path, body) in [
                    (HTTPRequest.Method.get, "\(orgA)/goals", nil), (.get, "\(orgA)/goals/\(goal.id)", nil),
                    (.post, "\(orgA)/goals", ["title": "x", "level": "organisation"]),
                    (.get, "\(orgA)/procurements", nil), (.get, "\(orgA)/tasks", nil), (.get, "\(orgA)/dashboard", nil),
                    (.get, "\(orgA)/users", nil),
                    (.get, "\(orgA)/audit", nil), (.get, "\(orgA)/export?what=goals", nil),
                    (.patch, "\(orgA)/tasks/\(task.id)", ["status": "done"]),
                    (.get, "/api/v1/orgs/no-such-org/goals", nil),
                ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                    let response = try await client.call(method, path, token: token, json: body)
                    #expect(response.status == .notFound, "\(role) \(method) \(path): \(response.status)")
                    #expect(!response.text.contains("Alpha secret"))
                }
                // A's ids under B's own path: 404, exactly like ids that do not exist.
                for id in [goal.id, missing] {
                    for (method, path, body) in [
                        (HTTPRequest.Method.get, "\(orgB)/goals/\(id)", nil), (.get, "\(orgB)/goals/\(id)/comments", nil),
                        (.post, "\(orgB)/goals/\(id)/comments", ["text": "hi"]), (.post, "\(orgB)/goals/\(id)/support", nil),
                        (.get, "\(orgB)/goals/\(id)/checkins", nil), (.get, "\(orgB)/goals/\(id)/transitions", nil),
                    ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                        let response = try await client.call(method, path, token: token, json: body)
                        #expect(response.status == .notFound, "\(role) \(method) \(path): \(response.status)")
                    }
                }
                for path in ["\(orgB)/procurements/\(procurement.id)", "\(orgB)/procurements/\(procurement.id)/tasks"] {
                    #expect(try await client.call(.get, path, token: token).status == .notFound)
                }
                // B's own lists hold none of A's items.
                for path in ["\(orgB)/goals", "\(orgB)/procurements", "\(orgB)/tasks", "\(orgB)/dashboard", "\(orgB)/users"] {
                    let response = try await client.call(.get, path, token: token)
                    #expect(response.status == .ok)
                    #expect(!response.text.contains("Alpha"), "\(path) leaks A's data")
                    #expect(!response.text.contains(goal.id) && !response.text.contains(procurement.id))
                }
            }
            // Writes in B that name A's ids are refused as unknown, and change nothing in A.
            let bToken = world.b.tokens[.management]!
            let aligned = try await client.call(
                .post, "\(orgB)/goals", token: bToken, json: ["title": "x", "level": "organisation", "alignsTo": [goal.id]])
            #expect(aligned.status == .notFound && aligned.string("field") == "alignsTo")
            let foreignProcurement = try await client.call(
                .post, "\(orgB)/goals", token: bToken, json: ["title": "x", "level": "procurement", "procurementId": procurement.id])
            #expect(foreignProcurement.status == .notFound && foreignProcurement.string("field") == "procurementId")
            let foreignLead = try await client.call(.post, "\(orgB)/procurements", token: bToken, json: ["title": "x", "leadId": aUser])
            #expect(foreignLead.status == .notFound && foreignLead.string("field") == "leadId")
            #expect(try await client.call(.patch, "\(orgB)/tasks/\(task.id)", token: bToken, json: ["status": "done"]).status == .notFound)
            let stillThere = try await client.call(.get, "\(orgA)/tasks", token: aToken)
            #expect(stillThere.items.first?["status"] as? String == "todo")
            // A's audit trail records only A's own writes.
            let audit = try await client.call(.get, "\(orgA)/audit", token: aToken)
            #expect(audit.items.allSatisfy { ($0["actorEmail"] as? String)?.hasSuffix("\(world.a.slug).example") == true })
        }
    }

    @Test("platform admins cannot read an organisation's own content")
    func platformAdminsSeeNoContent() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            for path in ["\(org)/goals", "\(org)/procurements", "\(org)/dashboard", "\(org)/audit"] {
                let response = try await client.call(.get, path, token: world.adminToken)
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("with the application's organisation check switched off, PostgreSQL alone still refuses B's sessions on A's data")
    func databaseRefusesWithoutTheApplicationCheck() async throws {
        try await APITestWorld.with(organisationCheck: false) { world, client in
            let orgA = "/api/v1/orgs/\(world.a.slug)"
            let aToken = world.a.tokens[.management]!
            let procurement = try await client.call(
                .post, "\(orgA)/procurements", token: aToken, json: ["title": "Alpha secret procurement"])
            let goal = try await client.call(
                .post, "\(orgA)/goals", token: aToken,
                json: ["title": "Alpha secret goal", "level": "procurement", "procurementId": procurement.id])
            let task = try await client.call(
                .post, "\(orgA)/procurements/\(procurement.id)/tasks", token: aToken,
                json: ["title": "Alpha secret task", "goalId": goal.id])
            #expect(task.status == .created)
            for role in Role.allCases {
                let token = world.b.tokens[role]!
                for (method, path, body) in [
                    (HTTPRequest.Method.get, "\(orgA)/goals", nil), (.get, "\(orgA)/goals/\(goal.id)", nil),
                    (.post, "\(orgA)/goals", ["title": "planted by B", "level": "organisation"]),
                    (.get, "\(orgA)/procurements", nil), (.get, "\(orgA)/tasks", nil), (.get, "\(orgA)/dashboard", nil),
                    (.get, "\(orgA)/users", nil), (.get, "\(orgA)/audit", nil), (.get, "\(orgA)/export?what=goals", nil),
                    (.patch, "\(orgA)/tasks/\(task.id)", ["status": "done"]),
                ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                    let response = try await client.call(method, path, token: token, json: body)
                    // Refused — by PostgreSQL (B's role has no USAGE on A's schema, so none of A's tables
                    // resolve) or by the role table — never answered.
                    #expect(!(200..<300).contains(response.status.code), "\(role) \(method) \(path): \(response.status)")
                    #expect(!response.text.contains("Alpha secret"))
                }
            }
            // A's data is as A left it.
            let goals = try await client.call(.get, "\(orgA)/goals", token: aToken)
            #expect(goals.items.count == 1 && !goals.text.contains("planted by B"))
            let tasks = try await client.call(.get, "\(orgA)/tasks", token: aToken)
            #expect(tasks.items.first?["status"] as? String == "todo")
        }
    }
}
