import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Overall picture, exports, audit, users and the national roll-up")
struct OverviewTests {
    @Test("the dashboard shows goals by theme and level, attainment over time, phases, overdue work and check-ins due")
    func dashboard() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.management]!
            let catalogue = try await client.call(.get, "/api/v1/catalogue", token: token)
            let goals = (catalogue.json["themes"] as? [[String: Any]] ?? []).flatMap { $0["goals"] as? [[String: Any]] ?? [] }
            let sm1 = goals.first { $0["code"] as? String == "SM-1" }?["id"] as? String
            let procurement = try await client.call(
                .post, "\(org)/procurements", token: token, json: ["title": "Siivous", "phase": "contract_management"])
            let adopted = try await client.call(
                .post, "\(org)/goals", token: token, json: ["level": "organisation", "catalogueGoalId": sm1!])
            for step in ["shortlisted"] {
                _ = try await client.call(.post, "\(org)/goals/\(adopted.id)/transitions", token: token, json: ["to": step, "reason": "r"])
            }
            _ = try await client.call(
                .post, "\(org)/goals/\(adopted.id)/transitions", token: token,
                json: [
                    "to": "scheduled", "reason": "r", "ownerId": world.a.users[.lead]!.id.uuidString, "start": "2020-01-01",
                    "due": "2021-12-31",
                ])
            let procurementGoal = try await client.call(
                .post, "\(org)/goals", token: token,
                json: ["title": "Ympäristömerkityt aineet", "level": "procurement", "procurementId": procurement.id])
            _ = try await client.call(
                .post, "\(org)/procurements/\(procurement.id)/tasks", token: token,
                json: ["title": "Sopimuskatselmus", "goalId": procurementGoal.id, "due": "2021-01-15"])
            let dashboard = try await client.call(.get, "\(org)/dashboard", token: token)
            #expect(dashboard.status == .ok)
            let byTheme = dashboard.json["goalsByThemeAndStatus"] as? [[String: Any]] ?? []
            #expect(byTheme.contains { $0["key"] as? String == "SM" && $0["status"] as? String == "scheduled" && $0["count"] as? Int == 1 })
            let byLevel = dashboard.json["goalsByLevelAndStatus"] as? [[String: Any]] ?? []
            #expect(byLevel.contains { $0["key"] as? String == "procurement" && $0["status"] as? String == "idea" })
            #expect((dashboard.json["overdueGoals"] as? [[String: Any]])?.first?["goalId"] as? String == adopted.id)
            #expect((dashboard.json["overdueTasks"] as? [[String: Any]])?.first?["title"] as? String == "Sopimuskatselmus")
            #expect((dashboard.json["checkinsDue"] as? [[String: Any]])?.first?["goalId"] as? String == adopted.id)
            let phases = dashboard.json["procurementsByPhase"] as? [[String: Any]] ?? []
            #expect(phases.map { $0["phase"] as? String } == ProcurementPhase.allCases.map(\.rawValue))
            let contract = phases.first { $0["phase"] as? String == "contract_management" }?["procurements"] as? [[String: Any]]
            #expect((contract?.first?["goals"] as? [[String: Any]])?.first?["id"] as? String == procurementGoal.id)
            _ = try await client.call(
                .post, "\(org)/goals/\(adopted.id)/checkins", token: token, json: ["status": "on_track", "attainment": 80])
            let after = try await client.call(.get, "\(org)/dashboard?checkinDueDays=7", token: token)
            #expect((after.json["checkinsDue"] as? [Any])?.isEmpty == true)
            #expect((after.json["attainmentOverTime"] as? [[String: Any]])?.first?["averageAttainment"] as? Double == 80)
            #expect(after.json["checkinDueDays"] as? Int == 7)
            #expect(try await client.call(.get, "\(org)/dashboard?checkinDueDays=0", token: token).status == .unprocessableContent)
            let settings = try await client.call(.patch, "\(org)/settings", token: token, json: ["checkinDueDays": 14])
            #expect(settings.json["checkinDueDays"] as? Int == 14)
        }
    }

    /// Issue 7, point 10: the dashboard read every overdue item of the organisation at once.
    @Test("each dashboard list is bounded, the earliest due first")
    func dashboardListsAreBounded() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.management]!
            let procurement = try await client.call(.post, "\(org)/procurements", token: token, json: ["title": "Suuri"])
            let goal = try await client.call(.post, "\(org)/goals", token: token, json: ["title": "Laaja", "level": "organisation"])
            let creator = world.a.users[.management]!.id
            try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query(
                    """
                    INSERT INTO tasks (procurement_id, goal_id, title, due, created_by)
                    SELECT \(UUID(uuidString: procurement.id)!), \(UUID(uuidString: goal.id)!), 'Myöhässä ' || n,
                           current_date - 1000 + n::int, \(creator)
                    FROM generate_series(1, \(Dashboard.listLimit + 50)) n
                    """)
            }
            let dashboard = try await client.call(.get, "\(org)/dashboard", token: token)
            let overdue = dashboard.json["overdueTasks"] as? [[String: Any]] ?? []
            #expect(overdue.count == Dashboard.listLimit)
            #expect(overdue.first?["title"] as? String == "Myöhässä 1")
        }
    }

    @Test("the national roll-up's pass over every organisation is shared by concurrent callers and kept for its maximum age")
    func rollupIsReadOncePerPeriod() async throws {
        let loads = LoadCounter()
        let cache = RollupCache(maxAge: .seconds(600)) {
            await loads.add()
            try await Task.sleep(for: .milliseconds(100))
            return NationalRollup.Adoptions(organisations: 3, perCode: [:])
        }
        async let first = cache.adoptions()
        async let second = cache.adoptions()
        _ = try await (first, second)
        _ = try await cache.adoptions()
        #expect(await loads.count == 1)
        let fresh = RollupCache(maxAge: .zero) {
            await loads.add()
            return NationalRollup.Adoptions(organisations: 3, perCode: [:])
        }
        _ = try await fresh.adoptions()
        _ = try await fresh.adoptions()
        #expect(await loads.count == 3)
    }

    @Test("CSV exports are UTF-8 with a BOM, quoted properly and safe from formula injection")
    func csvExport() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.lead]!
            _ = try await client.call(
                .post, "\(org)/goals", token: token, json: ["title": "Åland, \"öljy\" ja ääni", "level": "organisation"])
            _ = try await client.call(.post, "\(org)/goals", token: token, json: ["title": "=HYPERLINK(\"x\")", "level": "organisation"])
            let export = try await client.call(.get, "\(org)/export?what=goals", token: token)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(export.headers[.contentDisposition]?.contains("\(world.a.slug)-goals.csv") == true)
            #expect(Array(export.body.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let lines = export.text.dropFirst().components(separatedBy: "\r\n")
            #expect(lines[0].hasPrefix("id,title,level,status"))
            #expect(lines[1].contains("\"Åland, \"\"öljy\"\" ja ääni\""))
            #expect(lines[2].contains("\"'=HYPERLINK(\"\"x\"\")\""))
            for what in ["checkins", "tasks"] {
                #expect(try await client.call(.get, "\(org)/export?what=\(what)", token: token).status == .ok)
            }
            #expect(try await client.call(.get, "\(org)/export?what=secrets", token: token).string("field") == "what")
            #expect(try await client.call(.get, "\(org)/export", token: token).status == .unprocessableContent)
        }
    }

    @Test("management manages users; the last management user cannot be removed; deactivation ends sessions")
    func users() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.management]!
            let created = try await client.call(
                .post, "\(org)/users", token: token,
                json: ["email": "Uusi.Henkilo@A.example", "name": "Uusi Henkilö", "role": "lead", "password": "long enough password"])
            #expect(created.status == .created && created.string("email") == "uusi.henkilo@a.example")
            let duplicate = try await client.call(
                .post, "\(org)/users", token: token,
                json: ["email": "uusi.henkilo@a.example", "name": "X", "role": "lead", "password": "long enough password"])
            #expect(duplicate.status == .conflict)
            for (body, field) in [
                (["email": "x@a.example", "name": "X", "role": "boss", "password": "long enough password"], "role"),
                (["email": "not-an-email", "name": "X", "role": "staff", "password": "long enough password"], "email"),
                (["email": "y@a.example", "name": "X", "role": "staff", "password": "short"], "password"),
            ] {
                #expect(try await client.call(.post, "\(org)/users", token: token, json: body).string("field") == field)
            }
            let managementID = world.a.users[.management]!.id.uuidString
            let demote = try await client.call(.patch, "\(org)/users/\(managementID)", token: token, json: ["role": "staff"])
            #expect(demote.status == .conflict)
            let staffID = world.a.users[.staff]!.id.uuidString
            let deactivated = try await client.call(.patch, "\(org)/users/\(staffID)", token: token, json: ["active": false])
            #expect(deactivated.json["active"] as? Bool == false)
            #expect(try await client.call(.get, "/api/v1/me", token: world.a.tokens[.staff]!).status == .unauthorized)
            let list = try await client.call(.get, "\(org)/users", token: world.a.tokens[.lead]!)
            #expect(list.items.count == 4)
            // A new role takes effect at once: the old session ends and the next sign-in carries it.
            let leadID = world.a.users[.lead]!.id.uuidString
            #expect(try await client.call(.get, "\(org)/procurements", token: world.a.tokens[.lead]!).status == .ok)
            let demoted = try await client.call(.patch, "\(org)/users/\(leadID)", token: token, json: ["role": "staff"])
            #expect(demoted.string("role") == "staff")
            #expect(
                try await client.call(.post, "\(org)/procurements", token: world.a.tokens[.lead]!, json: ["title": "x"]).status
                    == .unauthorized)
            #expect(!list.text.contains("password"))
        }
    }

    @Test("every write is in the audit trail, readable by management only")
    func audit() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let lead = world.a.tokens[.lead]!
            let goal = try await client.call(.post, "\(org)/goals", token: lead, json: ["title": "Auditoitava", "level": "organisation"])
            _ = try await client.call(.post, "\(org)/goals/\(goal.id)/comments", token: lead, json: ["text": "kommentti"])
            let procurement = try await client.call(.post, "\(org)/procurements", token: lead, json: ["title": "Hankinta"])
            _ = try await client.call(
                .post, "\(org)/procurements/\(procurement.id)/tasks", token: lead, json: ["title": "t", "goalId": goal.id])
            let audit = try await client.call(.get, "\(org)/audit", token: world.a.tokens[.management]!)
            #expect(audit.items.map { $0["action"] as? String } == ["task.create", "procurement.create", "goal.comment", "goal.create"])
            #expect(audit.items.allSatisfy { $0["actorEmail"] as? String == "lead@\(world.a.slug).example" })
            #expect(try await client.call(.get, "\(org)/audit", token: lead).status == .forbidden)
        }
    }

    @Test("the national roll-up shows only figures drawn from at least three organisations, and no organisation's text")
    func nationalRollup() async throws {
        try await APITestWorld.with { world, client in
            let c = try await APITestWorld.org(world.services, slug: "c-\(TestSupport.uniqueSuffix())", name: "Gamma")
            let catalogue = try await client.call(.get, "/api/v1/catalogue", token: world.a.tokens[.staff]!)
            let goals = (catalogue.json["themes"] as? [[String: Any]] ?? []).flatMap { $0["goals"] as? [[String: Any]] ?? [] }
            let id = { (code: String) in goals.first { $0["code"] as? String == code }?["id"] as? String ?? "" }
            for (slug, token, codes) in [
                (world.a.slug, world.a.tokens[.management]!, ["EL-1", "SO-2"]),
                (world.b.slug, world.b.tokens[.management]!, ["EL-1", "SO-2"]),
                (c.slug, c.tokens[.management]!, ["EL-1"]),
            ] {
                for code in codes {
                    let adopted = try await client.call(
                        .post, "/api/v1/orgs/\(slug)/goals", token: token,
                        json: ["level": "organisation", "catalogueGoalId": id(code), "title": "Salainen \(slug) \(code)"])
                    #expect(adopted.status == .created)
                }
            }
            // Only organisations at least 30 days old count (dummies made to fill the group do not).
            try await world.services.pool.query(
                "UPDATE \(identifier: world.services.migrator.platformSchema.rawValue).organisations SET created_at = now() - interval '60 days'"
            )
            let rollup = try await client.call(.get, "/api/v1/platform/rollup?lang=en", token: world.adminToken)
            #expect(rollup.status == .ok)
            #expect(rollup.json["organisations"] as? Int == 3)
            let figures = rollup.json["goals"] as? [[String: Any]] ?? []
            let climate = figures.first { $0["code"] as? String == "EL-1" }
            #expect(climate?["adoptedBy"] as? Int == 3)
            #expect((climate?["statuses"] as? [String: Any])?["idea"] as? Int == 3)
            let social = figures.first { $0["code"] as? String == "SO-2" }
            #expect(social?["suppressed"] as? Bool == true)
            #expect(social?["adoptedBy"] == nil)
            #expect(!rollup.text.contains("Salainen"))
            #expect(try await client.call(.get, "/api/v1/platform/rollup", token: world.a.tokens[.management]!).status == .forbidden)
        }
    }
}

private actor LoadCounter {
    var count = 0
    func add() { count += 1 }
}
