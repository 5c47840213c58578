import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

@Suite("Workshops: gather, vote, decide, and the result lands in the funnel")
struct WorkshopTests {
    @Test("a workshop from start to close: ideas, votes within the allowance, a merge, decisions, goals with support")
    func wholeWorkshop() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let (staff, lead, management) = (world.a.tokens[.staff]!, world.a.tokens[.lead]!, world.a.tokens[.management]!)
            // Staff may take part but not run one; the settings are checked.
            let refused = try await client.call(.post, "\(org)/workshops", token: staff, json: ["title": "Ei"])
            #expect(refused.status == .forbidden)
            for (body, field) in [
                (["title": ""] as [String: Any], "title"), (["title": "T", "votesPerPerson": 0], "votesPerPerson"),
                (["title": "T", "phaseMinutes": 500], "phaseMinutes"), (["title": "T", "focus": UUID().uuidString], "focus"),
                (["title": "T", "colour": "red"], "colour"),
            ] {
                let bad = try await client.call(.post, "\(org)/workshops", token: lead, json: body)
                #expect(bad.status == .unprocessableContent || bad.status == .notFound, "\(body): \(bad.status)")
                #expect(bad.string("field") == field, "\(body): \(bad.text)")
            }
            let created = try await client.call(
                .post, "\(org)/workshops", token: lead, json: ["title": "Kestävät hankinnat 2027", "votesPerPerson": 2, "phaseMinutes": 15])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.string("id"))
            let code = try #require(created.string("joinCode"))
            #expect(code.count == 6 && created.string("phase") == "gathering" && created.string("joinPath") == "/w/\(code)")
            let base = "\(org)/workshops/\(id)"

            // Gathering: everyone adds ideas; votes wait for the voting phase.
            var ideas: [String: String] = [:]
            for (token, text) in [(staff, "Kierrätyskalusteet"), (lead, "Kalusteiden kierrätys"), (management, "Päästötön kuljetus")] {
                let board = try await client.call(.post, "\(base)/ideas", token: token, json: ["text": text, "rationale": "Koska"])
                #expect(board.status == .created, "\(board.text)")
                let listed = try #require(board.json["ideas"] as? [[String: Any]])
                ideas[text] = try #require(listed.first { $0["text"] as? String == text }?["id"] as? String)
            }
            let early = try await client.call(.post, "\(base)/ideas/\(ideas["Päästötön kuljetus"]!)/votes", token: staff)
            #expect(early.status == .conflict)
            #expect(try await client.call(.post, "\(base)/ideas", token: staff, json: ["text": "  "]).status == .unprocessableContent)
            #expect(
                try await client.call(.post, "\(base)/ideas", token: staff, json: ["text": "A", "anonymous": true]).status
                    == .unprocessableContent)
            // Only the facilitator (or management) moves it on.
            #expect(try await client.call(.post, "\(base)/phase", token: staff, json: ["phase": "voting"]).status == .forbidden)
            #expect(try await client.call(.post, "\(base)/phase", token: lead, json: ["phase": "closed"]).status == .conflict)
            #expect(try await client.call(.post, "\(base)/phase", token: lead, json: ["phase": "voting"]).status == .ok)
            #expect(try await client.call(.post, "\(base)/ideas", token: staff, json: ["text": "Myöhässä"]).status == .conflict)

            // Voting: two votes each, one per idea.
            let kalusteet = ideas["Kierrätyskalusteet"]!
            let kierratys = ideas["Kalusteiden kierrätys"]!
            let kuljetus = ideas["Päästötön kuljetus"]!
            #expect(try await client.call(.post, "\(base)/ideas/\(kalusteet)/votes", token: staff).status == .ok)
            #expect(try await client.call(.post, "\(base)/ideas/\(kalusteet)/votes", token: staff).status == .conflict)
            #expect(try await client.call(.post, "\(base)/ideas/\(kierratys)/votes", token: staff).status == .ok)
            let third = try await client.call(.post, "\(base)/ideas/\(kuljetus)/votes", token: staff)
            #expect(third.status == .conflict, "all votes placed")
            let back = try await client.call(.delete, "\(base)/ideas/\(kierratys)/votes", token: staff)
            #expect(back.status == .ok)
            #expect((back.json["you"] as? [String: Any])?["votesLeft"] as? Int == 1)
            #expect(try await client.call(.post, "\(base)/ideas/\(kuljetus)/votes", token: staff).status == .ok)
            for token in [lead, management] {
                #expect(try await client.call(.post, "\(base)/ideas/\(kierratys)/votes", token: token).status == .ok)
            }
            #expect(try await client.call(.post, "\(base)/ideas/\(kalusteet)/votes", token: lead).status == .ok)
            // Merging the duplicate moves its votes: the lead voted for both, and keeps one.
            let merged = try await client.call(.post, "\(base)/ideas/\(kierratys)/merge", token: lead, json: ["into": kalusteet])
            #expect(merged.status == .ok, "\(merged.text)")
            let standing = try #require(merged.json["ideas"] as? [[String: Any]]).filter {
                $0["mergedInto"] == nil || $0["mergedInto"] is NSNull
            }
            #expect(standing.map { $0["text"] as? String } == ["Kierrätyskalusteet", "Päästötön kuljetus"])
            #expect(standing.first?["votes"] as? Int == 3)
            #expect((merged.json["you"] as? [String: Any])?["votesLeft"] as? Int == 2 - 1)

            // Deciding, in the order of votes; a reason is required.
            #expect(try await client.call(.post, "\(base)/phase", token: lead, json: ["phase": "deciding"]).status == .ok)
            #expect(try await client.call(.post, "\(base)/ideas/\(kuljetus)/votes", token: lead).status == .conflict)
            let noReason = try await client.call(
                .post, "\(base)/ideas/\(kalusteet)/decision", token: lead, json: ["to": "shortlisted", "reason": ""])
            #expect(noReason.status == .unprocessableContent)
            #expect(
                try await client.call(
                    .post, "\(base)/ideas/\(kalusteet)/decision", token: staff, json: ["to": "shortlisted", "reason": "x"]
                ).status
                    == .forbidden)
            #expect(
                try await client.call(
                    .post, "\(base)/ideas/\(kalusteet)/decision", token: lead, json: ["to": "shortlisted", "reason": "Eniten ääniä"]
                ).status == .ok)
            #expect(
                try await client.call(
                    .post, "\(base)/ideas/\(kuljetus)/decision", token: lead, json: ["to": "rejected", "reason": "Ei omaa kalustoa"]
                ).status == .ok)

            // Closing lands the result in the funnel.
            let closed = try await client.call(.post, "\(base)/phase", token: lead, json: ["phase": "closed"])
            #expect(closed.status == .ok, "\(closed.text)")
            #expect(closed.string("phase") == "closed")
            let landed = try #require(closed.json["ideas"] as? [[String: Any]]).filter { $0["goalId"] is String }
            #expect(landed.count == 2)
            let shortlistedGoal = try #require(landed.first { $0["text"] as? String == "Kierrätyskalusteet" }?["goalId"] as? String)
            let goal = try await client.call(.get, "\(org)/goals/\(shortlistedGoal)", token: staff)
            #expect(goal.string("status") == "shortlisted")
            #expect(goal.json["supportCount"] as? Int == 3, "\(goal.text)")
            #expect((goal.json["workshop"] as? [String: Any])?["id"] as? String == id)
            #expect((goal.json["workshop"] as? [String: Any])?["joinCode"] as? String == code)
            let rejectedGoal = try #require(landed.first { $0["text"] as? String == "Päästötön kuljetus" }?["goalId"] as? String)
            let transitions = try await client.call(.get, "\(org)/goals/\(rejectedGoal)/transitions", token: staff)
            #expect(transitions.items.last?["to"] as? String == "rejected")
            #expect(transitions.items.last?["reason"] as? String == "Ei omaa kalustoa")
            // The proposer hears of the decision on their idea, with the reason.
            let words = try await NotificationTests.notifications(client, management)
            #expect(words.contains { $0["kind"] as? String == "idea_decision" && $0["reason"] as? String == "Ei omaa kalustoa" })
            // Every move is in the audit trail; nothing more can be written.
            let audit = try await client.call(.get, "\(org)/audit?limit=200", token: management)
            let actions = Set(audit.items.compactMap { $0["action"] as? String })
            for action in [
                "workshop.create", "workshop.idea", "workshop.vote", "workshop.unvote", "workshop.phase", "workshop.merge",
                "workshop.decide", "workshop.close", "goal.create", "goal.transition",
            ] {
                #expect(actions.contains(action), "\(action)")
            }
            #expect(try await client.call(.post, "\(base)/ideas", token: staff, json: ["text": "Liian myöhään"]).status == .conflict)
            #expect(try await client.call(.post, "\(base)/phase", token: lead, json: ["phase": "deciding"]).status == .conflict)
            let list = try await client.call(.get, "\(org)/workshops", token: staff)
            #expect(list.items.first?["phase"] as? String == "closed")
            // Another organisation sees nothing of it.
            let other = try await client.call(.get, "/api/v1/orgs/\(world.b.slug)/workshops/\(id)", token: world.b.tokens[.management]!)
            #expect(other.status == .notFound)
        }
    }

    @Test("votes placed at once by many people are each counted once, and nobody exceeds their allowance")
    func concurrentVotes() async throws {
        try await APITestWorld.with { world, client in
            let services = world.services
            let lead = world.a.users[.lead]!
            let member = try #require(
                try await services.sessions.resolve(world.a.tokens[.lead]!).flatMap { identity -> Identity.Member? in
                    if case .member(let member) = identity { member } else { nil }
                })
            _ = lead
            let schema = world.a.organisation.schema
            let created = try await services.inOrganisation(member) {
                try await services.workshops.create(
                    try NewWorkshop(title: "Kuormitus", votesPerPerson: 3, guests: true, guestLimit: 100), by: member, on: $0)
            }
            var ideaIDs: [UUID] = []
            for text in ["Yksi", "Kaksi", "Kolme", "Neljä"] {
                ideaIDs.append(
                    try await services.inOrganisation(member) {
                        try await services.workshops.addIdea(
                            text: text, rationale: nil, anonymous: nil, to: created.id, by: .member(member), on: $0)
                    })
            }
            try await services.inOrganisation(member) {
                try await services.workshops.setPhase(.voting, of: created.id, by: member, goals: services.goals, on: $0)
            }
            // 24 guests, each tapping all four ideas at once: three of the four land, never more.
            var guests: [WorkshopGuest] = []
            for index in 0..<24 {
                let (_, hash) = WorkshopDirectory.newSecret()
                let id = try await services.tenants.withTenant(schema) {
                    try await services.workshops.admitGuest(name: "Vieras \(index)", secretHash: hash, to: created.id, on: $0)
                }
                guests.append(WorkshopGuest(schema: schema, workshopID: created.id, participantID: id, name: "Vieras \(index)"))
            }
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for guest in guests {
                    for idea in ideaIDs {
                        group.addTask {
                            do {
                                try await services.tenants.withTenant(schema) {
                                    try await services.workshops.vote(true, on: idea, in: created.id, by: .guest(guest), on: $0)
                                }
                                return true
                            } catch {
                                return false
                            }
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.count(where: { $0 }) == 24 * 3)
            let state = try await services.tenants.read(schema) { try await services.workshops.state(created.id, on: $0) }
            #expect(state.board.ideas.reduce(0) { $0 + $1.votes } == 24 * 3)
            for guest in guests {
                #expect(state.seen(by: .guest(guest)).you?.votesLeft == 0)
            }
        }
    }

    @Test("a guest joins by name and code, sees and writes only that board, and nothing once it closes")
    func guestsStayInTheirWorkshop() async throws {
        try await WebWorld.with { world, client in
            let services = world.api.services
            let org = "/api/v1/orgs/\(world.slug)"
            let lead = world.token(.lead)
            let noGuests = try await client.call(.post, "\(org)/workshops", token: lead, json: ["title": "Sisäinen"])
            let closedDoor = try #require(noGuests.string("joinCode"))
            let created = try await client.call(
                .post, "\(org)/workshops", token: lead, json: ["title": "Avoin työpaja", "guests": true, "guestLimit": 1])
            let code = try #require(created.string("joinCode"))
            let workshopID = try #require(created.string("id"))

            // Anyone with the code sees the join page; the form carries the pre-session token.
            let join = try await client.page("/w/\(code)")
            #expect(join.status == .ok && join.template == "workshop-join")
            let preSession = try #require(join.headers[values: .setCookie].first { $0.hasPrefix(CSRF.preSessionCookie(secure: false)) })
            let csrfCookie = String(preSession.split(separator: ";")[0])
            let csrf = try #require(join.csrf)
            let refusedDoor = try await client.page(
                "/w/\(closedDoor)/guest", method: .post, form: [("csrf", csrf), ("name", "Vieras")], headers: [.cookie: csrfCookie])
            #expect(refusedDoor.status == .forbidden)
            let admitted = try await client.page(
                "/w/\(code)/guest", method: .post, form: [("csrf", csrf), ("name", "Maija Vieras")], headers: [.cookie: csrfCookie])
            #expect(admitted.status == .seeOther, "\(admitted.html.prefix(400))")
            let pass = try #require(admitted.headers[values: .setCookie].first { $0.hasPrefix(WorkshopDirectory.cookieName) })
            #expect(pass.contains("Path=/w/\(code)") && pass.contains("HttpOnly"))
            let guestCookie = csrfCookie + "; " + String(pass.split(separator: ";")[0])
            // The limit of one guest is reached: a second is turned away.
            let second = try await client.page(
                "/w/\(code)/guest", method: .post, form: [("csrf", csrf), ("name", "Toinen")], headers: [.cookie: csrfCookie])
            #expect(second.status == .conflict)

            let board = try await client.page("/w/\(code)", headers: [.cookie: guestCookie])
            #expect(board.status == .ok && board.template == "workshop")
            #expect(board.html.contains("Maija Vieras"))
            let idea = try await client.page(
                "/w/\(code)/ideas", method: .post, form: [("csrf", csrf), ("text", "Vieraan idea")], headers: [.cookie: guestCookie])
            #expect(idea.status == .seeOther)

            // The pass opens nothing else: every other page and API route answers as to someone
            // not signed in (or 404), and another workshop's board is a join page.
            let guestOnly: HTTPFields = [.cookie: String(pass.split(separator: ";")[0])]
            let router = buildRouter(services: services)
            for route in router.routes.routes + router.pages.routes {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = try #require(HTTPRequest.Method(String(parts[0])))
                let path = String(parts[1]).replacingOccurrences(of: "{org}", with: world.slug)
                    .replacingOccurrences(of: "{id}", with: workshopID).replacingOccurrences(of: "{version}", with: "1")
                    .replacingOccurrences(of: "{code}", with: closedDoor).replacingOccurrences(of: "{ideaId}", with: UUID().uuidString)
                    .replacingOccurrences(of: "{idea}", with: UUID().uuidString)
                    .replacing(/\{[a-zA-Z]+\}/, with: UUID().uuidString)
                let withPass = try await client.page(path, method: method, headers: guestOnly)
                let without = try await client.page(path, method: method)
                #expect(
                    [.unauthorized, .forbidden, .notFound, .methodNotAllowed].contains(withPass.status)
                        || withPass.status == without.status,
                    "\(route): \(withPass.status) with the guest's pass, \(without.status) without")
                #expect(withPass.status.code >= 300 || without.status.code < 300, "\(route) opened with the pass: \(withPass.status)")
            }
            let api = try await client.call(.get, "\(org)/workshops/\(workshopID)", headers: guestOnly)
            #expect(api.status == .unauthorized)

            // Closed: the pass opens nothing, and writes are refused.
            for phase in ["voting", "deciding", "closed"] {
                #expect(
                    try await client.call(.post, "\(org)/workshops/\(workshopID)/phase", token: lead, json: ["phase": phase]).status == .ok)
            }
            let after = try await client.page("/w/\(code)", headers: [.cookie: guestCookie])
            #expect(after.template == "workshop-join" && !after.html.contains("Vieraan idea"))
            let late = try await client.page(
                "/w/\(code)/ideas", method: .post, form: [("csrf", csrf), ("text", "Myöhään")], headers: [.cookie: guestCookie])
            // Someone no longer known is sent to sign in, and nothing is written.
            #expect(late.status == .seeOther && late.location == "/", "\(late.status) \(late.location ?? "")")
            // The guest's idea is a goal now, and the guest is in the summary by name.
            let summary = try await client.page("/w/\(code)/summary", session: world.token(.lead))
            #expect(summary.status == .ok && summary.html.contains("Maija Vieras") && summary.html.contains("Vieraan idea"))
            let goals = try await client.call(.get, "\(org)/goals?status=idea&limit=200", token: lead)
            #expect(goals.items.contains { $0["title"] as? String == "Vieraan idea" })
            #expect(!goals.items.contains { $0["title"] as? String == "Myöhään" })
        }
    }
}
