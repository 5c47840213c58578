import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Goals: proposing, editing, discussing, following up")
struct GoalTests {
    @Test("PATCH needs the current ETag: missing is 428, stale is 412 and changes nothing")
    func optimisticConcurrency() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.lead]!
            let goal = try await client.call(.post, "\(org)/goals", token: token, json: ["title": "Alkuperäinen", "level": "organisation"])
            let etag = try #require(goal.headers[.eTag])
            #expect(
                try await client.call(.patch, "\(org)/goals/\(goal.id)", token: token, json: ["title": "x"]).status == .preconditionRequired
            )
            let first = try await client.call(
                .patch, "\(org)/goals/\(goal.id)", token: token, json: ["title": "Ensimmäinen"], headers: [.ifMatch: etag])
            #expect(first.status == .ok && first.string("title") == "Ensimmäinen")
            let newTag = try #require(first.headers[.eTag])
            #expect(newTag != etag)
            let stale = try await client.call(
                .patch, "\(org)/goals/\(goal.id)", token: token, json: ["title": "Toinen"], headers: [.ifMatch: etag])
            #expect(stale.status == .preconditionFailed)
            #expect(try await client.call(.get, "\(org)/goals/\(goal.id)", token: token).string("title") == "Ensimmäinen")
            let other = try await client.call(.post, "\(org)/goals", token: token, json: ["title": "Kohde", "level": "organisation"])
            let aligned = try await client.call(
                .patch, "\(org)/goals/\(goal.id)", token: token, json: ["alignsTo": [other.id], "priority": 2, "description": "Kuvaus"],
                headers: [.ifMatch: newTag])
            #expect(aligned.status == .ok)
            #expect(aligned.json["alignsTo"] as? [String] == [other.id])
            #expect(aligned.json["priority"] as? Int == 2)
        }
    }

    @Test("bad input is 400 or 422 naming the field, and nothing is written")
    func badInput() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.management]!
            let malformed = try await client.call(.post, "\(org)/goals", token: token, raw: "{\"title\": ")
            #expect(malformed.status == .badRequest && malformed.headers[.contentType] == "application/problem+json")
            #expect(try await client.call(.post, "\(org)/goals", token: token, raw: "[1,2]").status == .badRequest)
            #expect(try await client.call(.post, "\(org)/goals", token: token).status == .badRequest)
            for (body, field) in [
                (["title": "x", "level": "organisation", "colour": "red"], "colour"),
                (["title": "x", "level": "galaxy"], "level"),
                (["title": "x"], "level"),
                (["title": "", "level": "organisation"], "title"),
                (["title": String(repeating: "x", count: 301), "level": "organisation"], "title"),
                (["title": "x", "level": "organisation", "priority": 4], "priority"),
                (["title": "x", "level": "organisation", "priority": "high"], "priority"),
                (["title": "x", "level": "procurement"], "procurementId"),
                (["title": "x", "level": "organisation", "catalogueGoalId": "not-a-uuid"], "catalogueGoalId"),
                (["title": "x", "level": "organisation", "catalogueGoalId": UUID().uuidString], "catalogueGoalId"),
                (["title": "x", "level": "organisation", "themeCode": "ZZ"], "themeCode"),
                (["title": "x", "level": "organisation", "alignsTo": [UUID().uuidString]], "alignsTo"),
            ] as [([String: Any], String)] {
                let response = try await client.call(.post, "\(org)/goals", token: token, json: body)
                // A well-formed id or code that names nothing is 404 with the field; the rest 422.
                let reference = body[field] is [String] || UUID(uuidString: body[field] as? String ?? "") != nil || field == "themeCode"
                #expect(response.status == (reference ? .notFound : .unprocessableContent), "\(body): \(response.text)")
                #expect(response.string("field") == field, "\(body): \(response.text)")
            }
            #expect(try await client.call(.get, "\(org)/goals", token: token).items.isEmpty)
            #expect(try await client.call(.get, "\(org)/audit", token: token).items.isEmpty)
            #expect(try await client.call(.get, "\(org)/goals?status=bogus", token: token).string("field") == "status")
            #expect(try await client.call(.get, "\(org)/goals?limit=500", token: token).string("field") == "limit")
            #expect(try await client.call(.get, "\(org)/goals?cursor=garbage", token: token).string("field") == "cursor")
            #expect(try await client.call(.get, "\(org)/goals/not-a-uuid", token: token).status == .notFound)
        }
    }

    @Test("lists paginate with a cursor and filter by status and level")
    func pagination() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.staff]!
            for index in 0..<5 {
                _ = try await client.call(.post, "\(org)/goals", token: token, json: ["title": "Idea \(index)", "level": "organisation"])
            }
            var titles: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "\(org)/goals?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                #expect(page.items.count <= 2)
                titles += page.items.compactMap { $0["title"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(titles == (0..<5).map { "Idea \($0)" })
            #expect(try await client.call(.get, "\(org)/goals?status=idea&level=organisation", token: token).items.count == 5)
            #expect(try await client.call(.get, "\(org)/goals?status=scheduled", token: token).items.isEmpty)
        }
    }

    @Test("colleagues comment on and support ideas; support is idempotent")
    func discussion() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let idea = try await client.call(
                .post, "\(org)/goals", token: world.a.tokens[.staff]!, json: ["title": "Kierrätetyt kalusteet", "level": "organisation"])
            let comment = try await client.call(
                .post, "\(org)/goals/\(idea.id)/comments", token: world.a.tokens[.lead]!, json: ["text": "Hyvä ajatus – kokeillaan!"])
            #expect(comment.status == .created && comment.string("text") == "Hyvä ajatus – kokeillaan!")
            #expect(
                try await client.call(.post, "\(org)/goals/\(idea.id)/comments", token: world.a.tokens[.lead]!, json: ["text": " "]).status
                    == .unprocessableContent)
            for _ in 0..<2 {
                let support = try await client.call(.post, "\(org)/goals/\(idea.id)/support", token: world.a.tokens[.management]!)
                #expect(support.json["supportCount"] as? Int == 1)
            }
            _ = try await client.call(.post, "\(org)/goals/\(idea.id)/support", token: world.a.tokens[.lead]!)
            let goal = try await client.call(.get, "\(org)/goals/\(idea.id)", token: world.a.tokens[.lead]!)
            #expect(
                goal.json["supportCount"] as? Int == 2 && goal.json["supportedByMe"] as? Bool == true
                    && goal.json["commentCount"] as? Int == 1)
            let withdrawn = try await client.call(.delete, "\(org)/goals/\(idea.id)/support", token: world.a.tokens[.lead]!)
            #expect(withdrawn.json["supportCount"] as? Int == 1)
            let comments = try await client.call(.get, "\(org)/goals/\(idea.id)/comments", token: world.a.tokens[.staff]!)
            #expect(comments.items.first?["authorName"] as? String == "Lead Äyräpää")
        }
    }

    @Test("check-ins follow up scheduled goals; progress is derived from indicators, else tasks")
    func checkInsAndProgress() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.management]!
            let procurement = try await client.call(
                .post, "\(org)/procurements", token: token,
                json: ["title": "Ruokapalvelut", "phase": "tendering_award", "memberIds": [world.a.users[.staff]!.id.uuidString]])
            let goal = try await client.call(
                .post, "\(org)/goals", token: token,
                json: ["title": "Kasvisruoan osuus", "level": "procurement", "procurementId": procurement.id])
            let early = try await client.call(
                .post, "\(org)/goals/\(goal.id)/checkins", token: token, json: ["status": "on_track", "attainment": 10])
            #expect(early.status == .conflict)
            _ = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: token, json: ["to": "shortlisted", "reason": "r"])
            let scheduled = try await client.call(
                .post, "\(org)/goals/\(goal.id)/transitions", token: token,
                json: [
                    "to": "scheduled", "reason": "r", "ownerId": world.a.users[.lead]!.id.uuidString, "start": "2027-01-01",
                    "due": "2027-12-31",
                    "indicators": [["name": "Kasvisaterioiden osuus", "unit": "%", "baseline": 20, "target": 60, "direction": "increase"]],
                ])
            let indicator = try #require((scheduled.json["indicators"] as? [[String: Any]])?.first?["id"] as? String)
            // Tasks only: 1 of 2 done → 50 %.
            let task1 = try await client.call(
                .post, "\(org)/procurements/\(procurement.id)/tasks", token: token, json: ["title": "Menu", "goalId": goal.id])
            _ = try await client.call(
                .post, "\(org)/procurements/\(procurement.id)/tasks", token: token, json: ["title": "Koulutus", "goalId": goal.id])
            _ = try await client.call(.patch, "\(org)/tasks/\(task1.id)", token: token, json: ["status": "done"])
            var progress = try await client.call(.get, "\(org)/goals/\(goal.id)", token: token).json["progress"] as? [String: Any]
            #expect(progress?["derivedAttainment"] as? Int == 50 && progress?["derivedFrom"] as? String == "tasks")
            // An indicator value takes precedence: (40 − 20) / (60 − 20) = 50 %… then 50 → 75 %.
            let checkIn = try await client.call(
                .post, "\(org)/goals/\(goal.id)/checkins", token: world.a.tokens[.staff]!,
                json: [
                    "status": "at_risk", "attainment": 45, "comment": "Hidas alku",
                    "indicatorValues": [["indicatorId": indicator, "value": 50]],
                ])
            #expect(checkIn.status == .created, "\(checkIn.text)")
            #expect(checkIn.string("phase") == "tendering_award")
            progress = try await client.call(.get, "\(org)/goals/\(goal.id)", token: token).json["progress"] as? [String: Any]
            #expect(progress?["derivedAttainment"] as? Int == 75 && progress?["derivedFrom"] as? String == "indicators")
            #expect(progress?["reportedAttainment"] as? Int == 45)
            for (body, field) in [
                (["status": "fine", "attainment": 1], "status"), (["status": "on_track", "attainment": 101], "attainment"),
                (
                    ["status": "on_track", "attainment": 5, "indicatorValues": [["indicatorId": UUID().uuidString, "value": 1]]],
                    "indicatorValues[0].indicatorId"
                ),
            ] as [([String: Any], String)] {
                let response = try await client.call(.post, "\(org)/goals/\(goal.id)/checkins", token: token, json: body)
                #expect(response.status == .unprocessableContent && response.string("field") == field, "\(response.text)")
            }
            // Staff outside the procurement may not follow it up.
            _ = try await client.call(
                .patch, "\(org)/procurements/\(procurement.id)", token: token, json: ["memberIds": []], headers: [.ifMatch: "\"v1\""])
            let outsider = try await client.call(
                .post, "\(org)/goals/\(goal.id)/checkins", token: world.a.tokens[.staff]!, json: ["status": "on_track", "attainment": 50])
            #expect(outsider.status == .forbidden)
            #expect(try await client.call(.get, "\(org)/goals/\(goal.id)/checkins", token: token).items.count == 1)
        }
    }
}
