import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

@Suite("Every write leaves an audit row")
struct AuditCoverageTests {
    /// Writes that change no organisation's or platform's data: sessions, one's own language, a
    /// second-factor key being set up (nothing changes until it is confirmed, which is audited),
    /// and one's own notifications marked read.
    static let exempt: Set<String> = [
        "POST /api/v1/auth/login", "POST /api/v1/auth/logout", "PATCH /api/v1/me", "POST /api/v1/me/second-factor",
        "POST /api/v1/me/notifications/read",
    ]

    @Test("each write route of the route table adds a row to the organisation's or the platform's audit trail")
    func everyWriteRouteIsAudited() async throws {
        try await APITestWorld.with { world, client in
            let writes = Set(buildRouter(services: world.services).routes.routes.filter { !$0.hasPrefix("GET ") }).subtracting(Self.exempt)
            let org = "/api/v1/orgs/\(world.a.slug)"
            let management = world.a.tokens[.management]!
            let admin = world.adminToken
            let platform = world.services.migrator.platformSchema.rawValue
            let schema = world.a.organisation.schema
            func organisationRows() async throws -> Int {
                try await world.services.tenants.withTenant(schema) {
                    try await $0.query("SELECT count(*) AS n FROM audit_log")[0].decode("n")
                }
            }
            func platformRows() async throws -> Int {
                try await world.services.pool.query("SELECT count(*) AS n FROM \(identifier: platform).platform_audit_log")[0].decode("n")
            }
            var covered = Set<String>()
            /// Sends the request and checks that it succeeded and that one of the trails grew.
            func expectAudited(
                _ route: String, _ method: HTTPRequest.Method, _ path: String, token: String?, json: Any? = nil, headers: HTTPFields = [:]
            ) async throws -> APIResponse {
                let before = (try await organisationRows(), try await platformRows())
                let response = try await client.call(method, path, token: token, json: json, headers: headers)
                #expect((200..<300).contains(response.status.code), "\(route): \(response.status) \(response.text)")
                let after = (try await organisationRows(), try await platformRows())
                #expect(after.0 > before.0 || after.1 > before.1, "\(route) left no audit row")
                covered.insert(route)
                return response
            }

            let users = "POST /api/v1/orgs/{org}/users"
            let user = try await expectAudited(
                users, .post, "\(org)/users", token: management,
                json: ["email": "audited@a.example", "name": "Auditoitu", "role": "staff", "password": "long enough password"])
            _ = try await expectAudited(
                "PATCH /api/v1/orgs/{org}/users/{id}", .patch, "\(org)/users/\(user.id)", token: management, json: ["role": "lead"])
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/users/{id}/password-code", .post, "\(org)/users/\(world.a.users[.lead]!.id)/password-code",
                token: management)
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/users/{id}/password-code/email", .post,
                "\(org)/users/\(world.a.users[.lead]!.id)/password-code/email", token: management)
            _ = try await expectAudited(
                "PATCH /api/v1/me/reminders", .patch, "/api/v1/me/reminders", token: world.a.tokens[.staff]!, json: ["email": "daily"])
            let procurement = try await expectAudited(
                "POST /api/v1/orgs/{org}/procurements", .post, "\(org)/procurements", token: management,
                json: ["title": "Auditoitu hankinta", "memberIds": [world.a.users[.staff]!.id.uuidString]])
            _ = try await expectAudited(
                "PATCH /api/v1/orgs/{org}/procurements/{id}", .patch, "\(org)/procurements/\(procurement.id)", token: management,
                json: ["phase": "market_engagement"], headers: [.ifMatch: "\"v1\""])
            let goal = try await expectAudited(
                "POST /api/v1/orgs/{org}/goals", .post, "\(org)/goals", token: management,
                json: ["title": "Auditoitu tavoite", "level": "procurement", "procurementId": procurement.id])
            _ = try await expectAudited(
                "PATCH /api/v1/orgs/{org}/goals/{id}", .patch, "\(org)/goals/\(goal.id)", token: management, json: ["priority": 2],
                headers: [.ifMatch: "\"v1\""])
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/goals/{id}/comments", .post, "\(org)/goals/\(goal.id)/comments", token: management,
                json: ["text": "Hyvä"])
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/goals/{id}/support", .post, "\(org)/goals/\(goal.id)/support", token: management)
            _ = try await expectAudited(
                "DELETE /api/v1/orgs/{org}/goals/{id}/support", .delete, "\(org)/goals/\(goal.id)/support", token: management)
            _ = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: management, json: ["to": "shortlisted", "reason": "r"])
            let scheduled = try await expectAudited(
                "POST /api/v1/orgs/{org}/goals/{id}/transitions", .post, "\(org)/goals/\(goal.id)/transitions", token: management,
                json: [
                    "to": "scheduled", "reason": "aikataulu", "ownerId": world.a.users[.staff]!.id.uuidString, "start": "2027-01-01",
                    "due": "2027-12-31", "milestones": [["title": "Välitavoite", "due": "2027-06-30"]],
                ])
            let milestone = try #require((scheduled.json["milestones"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await expectAudited(
                "PATCH /api/v1/orgs/{org}/goals/{id}/milestones/{milestoneId}", .patch, "\(org)/goals/\(goal.id)/milestones/\(milestone)",
                token: management, json: ["done": true])
            let withIndicator = try await expectAudited(
                "POST /api/v1/orgs/{org}/goals/{id}/indicators", .post, "\(org)/goals/\(goal.id)/indicators", token: management,
                json: ["name": "Osuus", "target": 50, "direction": "increase"])
            let indicator = try #require((withIndicator.json["indicators"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await expectAudited(
                "PATCH /api/v1/orgs/{org}/goals/{id}/indicators/{indicatorId}", .patch,
                "\(org)/goals/\(goal.id)/indicators/\(indicator)", token: management, json: ["target": 60])
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/goals/{id}/checkins", .post, "\(org)/goals/\(goal.id)/checkins", token: world.a.tokens[.staff]!,
                json: ["status": "on_track", "attainment": 30])
            let task = try await expectAudited(
                "POST /api/v1/orgs/{org}/procurements/{id}/tasks", .post, "\(org)/procurements/\(procurement.id)/tasks", token: management,
                json: ["title": "Auditoitu tehtävä", "goalId": goal.id])
            _ = try await expectAudited(
                "PATCH /api/v1/orgs/{org}/tasks/{id}", .patch, "\(org)/tasks/\(task.id)", token: management, json: ["status": "doing"])
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/goals/rollover", .post, "\(org)/goals/rollover", token: management,
                json: ["from": 2027, "to": 2028, "reason": "Vuodenvaihde"])
            _ = try await expectAudited(
                "PATCH /api/v1/orgs/{org}/settings", .patch, "\(org)/settings", token: management, json: ["checkinDueDays": 20])
            _ = try await expectAudited(
                "POST /api/v1/me/password", .post, "/api/v1/me/password", token: world.a.tokens[.staff]!,
                json: ["currentPassword": APITestWorld.password, "newPassword": "a fresh passphrase here"])
            let code = try await client.call(.post, "\(org)/users/\(user.id)/password-code", token: management).string("code") ?? ""
            _ = try await expectAudited(
                "POST /api/v1/auth/password-code", .post, "/api/v1/auth/password-code", token: nil,
                json: ["organisation": world.a.slug, "email": "audited@a.example", "code": code, "newPassword": "set with the code now"])
            let lead = world.a.tokens[.lead]!
            #expect(try await client.call(.post, "/api/v1/me/second-factor", token: lead).status == .created)
            let sealed: String = try await world.services.tenants.withTenant(schema) {
                try await $0.query("SELECT totp_pending FROM users WHERE id = \(world.a.users[.lead]!.id)").one().decode("totp_pending")
            }
            let key = try TestSupport.secretKeys.open(sealed, owner: world.a.users[.lead]!.id)
            // Turning the second factor on ends every session and hands out a new one.
            let renewed = try #require(
                try await expectAudited(
                    "POST /api/v1/me/second-factor/confirm", .post, "/api/v1/me/second-factor/confirm", token: lead,
                    json: ["code": SecondFactorTests.code(key)]
                ).string("token"))
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/users/{id}/second-factor/reset", .post,
                "\(org)/users/\(world.a.users[.lead]!.id)/second-factor/reset", token: management)
            _ = try await expectAudited(
                "POST /api/v1/me/second-factor/disable", .post, "/api/v1/me/second-factor/disable", token: renewed,
                json: ["password": APITestWorld.password])

            // A workshop from start to close, each move audited.
            let workshop = try await expectAudited(
                "POST /api/v1/orgs/{org}/workshops", .post, "\(org)/workshops", token: management, json: ["title": "Audited workshop"])
            let workshopPath = "\(org)/workshops/\(workshop.id)"
            let withIdeas = try await expectAudited(
                "POST /api/v1/orgs/{org}/workshops/{id}/ideas", .post, "\(workshopPath)/ideas", token: management, json: ["text": "Yksi"])
            _ = try await client.call(.post, "\(workshopPath)/ideas", token: management, json: ["text": "Kaksi"])
            let ideaIDs = try await client.call(.get, workshopPath, token: management).json["ideas"] as? [[String: Any]] ?? []
            let (first, second) = (ideaIDs.first?["id"] as? String ?? "", ideaIDs.last?["id"] as? String ?? "")
            #expect(withIdeas.status == .created && first != second)
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/workshops/{id}/phase", .post, "\(workshopPath)/phase", token: management, json: ["phase": "voting"]
            )
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/workshops/{id}/ideas/{ideaId}/votes", .post, "\(workshopPath)/ideas/\(first)/votes",
                token: management)
            _ = try await expectAudited(
                "DELETE /api/v1/orgs/{org}/workshops/{id}/ideas/{ideaId}/votes", .delete, "\(workshopPath)/ideas/\(first)/votes",
                token: management)
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/workshops/{id}/ideas/{ideaId}/merge", .post, "\(workshopPath)/ideas/\(second)/merge",
                token: management, json: ["into": first])
            _ = try await client.call(.post, "\(workshopPath)/phase", token: management, json: ["phase": "deciding"])
            _ = try await expectAudited(
                "POST /api/v1/orgs/{org}/workshops/{id}/ideas/{ideaId}/decision", .post, "\(workshopPath)/ideas/\(first)/decision",
                token: management, json: ["to": "shortlisted", "reason": "Hyvä"])

            // The platform's writes go to the platform audit log.
            let slug = "trail-\(TestSupport.uniqueSuffix())"
            _ = try await expectAudited(
                "POST /api/v1/platform/organisations", .post, "/api/v1/platform/organisations", token: admin,
                json: [
                    "slug": slug, "name": "Trail", "management": ["email": "m@trail.fi", "name": "M", "password": "long enough password"],
                ])
            _ = try await expectAudited(
                "PATCH /api/v1/platform/organisations/{org}", .patch, "/api/v1/platform/organisations/\(slug)", token: admin,
                json: ["status": "suspended"])
            let draft = try await expectAudited(
                "POST /api/v1/platform/catalogue/draft", .post, "/api/v1/platform/catalogue/draft", token: admin)
            let document = try #require(draft.json["document"] as? [String: Any])
            _ = try await expectAudited(
                "PUT /api/v1/platform/catalogue/draft", .put, "/api/v1/platform/catalogue/draft", token: admin, json: document)
            _ = try await expectAudited(
                "PATCH /api/v1/platform/catalogue/draft/goals/{code}", .patch, "/api/v1/platform/catalogue/draft/goals/EL-2", token: admin,
                json: ["name": ["fi": "Monimuotoisuus", "sv": "Mångfald", "en": "Diversity"]])
            _ = try await expectAudited(
                "POST /api/v1/platform/catalogue/draft/themes/{code}/goals", .post, "/api/v1/platform/catalogue/draft/themes/KM/goals",
                token: admin, json: ["name": ["fi": "a", "sv": "b", "en": "c"], "description": ["fi": "a", "sv": "b", "en": "c"]])
            _ = try await expectAudited(
                "POST /api/v1/platform/catalogue/draft/publish", .post, "/api/v1/platform/catalogue/draft/publish", token: admin,
                json: ["note": "audited"])
            _ = try await client.call(.post, "/api/v1/platform/catalogue/draft", token: admin)
            _ = try await expectAudited(
                "DELETE /api/v1/platform/catalogue/draft", .delete, "/api/v1/platform/catalogue/draft", token: admin)
            // The code mailed above, as if the mail server had refused it for good.
            let dead: UUID = try await world.services.pool.query(
                "UPDATE \(identifier: platform).mail_outbox SET dead_at = now(), last_error = 'refused' RETURNING id"
            ).one().decode("id")
            _ = try await expectAudited(
                "POST /api/v1/platform/mail/{id}/retry", .post, "/api/v1/platform/mail/\(dead)/retry", token: admin)

            // A write route added later must come with its audit row and a line here.
            #expect(writes.subtracting(covered).isEmpty, "write routes not shown to audit: \(writes.subtracting(covered).sorted())")
        }
    }
}
