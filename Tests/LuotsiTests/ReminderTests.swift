import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Postgres
import Testing

@testable import Luotsi

@Suite("The reminder pass, the outbox and the unsubscribe link")
struct ReminderTests {
    static let monday = ISO8601DateFormatter().date(from: "2027-03-01T07:00:00Z")!
    static let tuesday = ISO8601DateFormatter().date(from: "2027-03-02T07:00:00Z")!

    /// The outbox's rows for the world, oldest first.
    static func outbox(_ world: APITestWorld) async throws -> [(recipient: String, kind: String, subject: String, body: String, id: String)]
    {
        let platform = world.services.migrator.platformSchema.rawValue
        return try await world.services.pool.query(
            "SELECT recipient, kind, subject, coalesce(body, '') AS body, message_id FROM \(identifier: platform).mail_outbox ORDER BY seq"
        ).map {
            (
                try $0.decode("recipient"), try $0.decode("kind"), try $0.decode("subject"), try $0.decode("body"),
                try $0.decode("message_id")
            )
        }
    }

    /// A procurement of A with the staff member in it and an overdue task for them, given by the lead.
    static func overdueTask(_ world: APITestWorld, _ client: some TestClientProtocol) async throws {
        let org = "/api/v1/orgs/\(world.a.slug)"
        let lead = world.a.tokens[.lead]!
        let staffID = world.a.users[.staff]!.id.uuidString
        let procurement = try #require(
            try await client.call(.post, "\(org)/procurements", token: lead, json: ["title": "Ruokapalvelut", "memberIds": [staffID]])
                .string("id"))
        let goal = try #require(
            try await client.call(
                .post, "\(org)/goals", token: lead, json: ["title": "Kasvisruoka", "level": "procurement", "procurementId": procurement]
            ).string("id"))
        let task = try await client.call(
            .post, "\(org)/procurements/\(procurement)/tasks", token: lead,
            json: ["title": "Ruokalistan vaatimukset", "goalId": goal, "assigneeId": staffID, "due": "2027-02-01"])
        #expect(task.status == .created)
    }

    @Test("each person gets one digest per period, in their language, with what is due and what is new; a repeat writes nothing")
    func digestsOncePerPeriod() async throws {
        try await APITestWorld.with { world, client in
            try await Self.overdueTask(world, client)
            _ = try await client.call(.patch, "/api/v1/me", token: world.a.tokens[.staff]!, json: ["language": "sv"])
            let pass = try world.services.reminderPass(logger: Logger(label: "test"))
            let first = try await pass.run(at: Self.monday)
            #expect(first.ran)
            #expect(first.organisations == 2)
            let mails = try await Self.outbox(world)
            let staffMail = try #require(mails.first { $0.recipient == world.a.users[.staff]!.email })
            #expect(staffMail.kind == "digest")
            #expect(staffMail.subject == "Luotsi veckosammanfattning: 1 sak på tur, 1 ny avisering")
            #expect(staffMail.id == "<digest.2027-W09.\(world.a.users[.staff]!.id.uuidString.lowercased())@luotsi.test>")
            #expect(staffMail.body.contains("List-Unsubscribe: <http://luotsi.test/unsubscribe/\(world.a.slug)."))
            #expect(staffMail.body.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
            // The unsubscribe page opens in the person's language, signed in or not.
            #expect(staffMail.body.contains("?lang=sv>\r\nList-Unsubscribe-Post"))
            #expect(staffMail.body.contains("Content-Type: multipart/alternative"))
            let text = try #require(Self.textPart(of: staffMail.body))
            #expect(text.contains("På tur nu"))
            #expect(text.contains("Uppgiften ”Ruokalistan vaatimukset” (Ruokapalvelut) skulle vara klar 1.2.2027"))
            #expect(text.contains("gav dig uppgiften ”Ruokalistan vaatimukset”"))
            #expect(text.contains("http://luotsi.test/my-work"))
            // The lead and management heard of the new idea; B's people had nothing to tell.
            #expect(Set(mails.map(\.recipient)) == [world.a.users[.staff]!.email, world.a.users[.management]!.email])
            #expect(!mails.contains { $0.recipient.hasSuffix("\(world.b.slug).example") })

            let again = try await pass.run(at: Self.monday.addingTimeInterval(3600))
            #expect(again.ran)
            #expect(again.digests == 0)
            #expect(try await Self.outbox(world).count == mails.count)

            // Daily: another day is another period, but only what is new or still due is told.
            _ = try await client.call(.patch, "/api/v1/me/reminders", token: world.a.tokens[.staff]!, json: ["email": "daily"])
            _ = try await client.call(.patch, "/api/v1/me/reminders", token: world.a.tokens[.management]!, json: ["email": "off"])
            let next = try await pass.run(at: Self.tuesday)
            #expect(next.digests == 1)
            let daily = try #require(try await Self.outbox(world).last)
            #expect(daily.subject == "Luotsi dagssammanfattning: 1 sak på tur")
        }
    }

    @Test("the unsubscribe link: signed for one person, turns their digests off without signing in, forged ones are 404")
    func unsubscribe() async throws {
        try await APITestWorld.with { world, client in
            let links = world.services.unsubscribeLinks
            let staff = world.a.users[.staff]!
            let token = try await links.token(organisation: world.a.slug, person: staff.id)
            #expect(try await links.verify(token) == .init(organisation: world.a.slug, person: staff.id))
            let other = world.a.users[.lead]!.id.uuidString.lowercased()
            let parts = token.split(separator: ".")
            for forged in ["\(parts[0]).\(other).\(parts[2])", "\(world.b.slug).\(parts[1]).\(parts[2])", "\(token)x", "a.b", ""] {
                #expect(try await links.verify(forged) == nil, "\(forged)")
                let page = try await client.call(.post, "/unsubscribe/\(forged)", raw: "List-Unsubscribe=One-Click")
                #expect(page.status == .notFound || forged.isEmpty)
            }
            // Opening the link changes nothing; the one-click post (no session, no form token) does.
            #expect(try await client.call(.get, "/unsubscribe/\(token)").status == .ok)
            #expect(
                try await client.call(.get, "/api/v1/me/reminders", token: world.a.tokens[.staff]!).json["email"] as? String == "weekly")
            let posted = try await client.call(
                .post, "/unsubscribe/\(token)", raw: "List-Unsubscribe=One-Click",
                headers: [.contentType: "application/x-www-form-urlencoded", .secFetchSite: "cross-site"])
            #expect(posted.status == .ok)
            #expect(try await client.call(.get, "/api/v1/me/reminders", token: world.a.tokens[.staff]!).json["email"] as? String == "off")
            let audit = try await client.call(.get, "/api/v1/orgs/\(world.a.slug)/audit?entity=user", token: world.a.tokens[.management]!)
            #expect(audit.items.contains { $0["action"] as? String == "user.unsubscribe" && $0["actorEmail"] as? String == staff.email })
            // Nothing more for them: a pass with things due writes no digest to them.
            try await Self.overdueTask(world, client)
            _ = try await world.services.reminderPass(logger: Logger(label: "test")).run(at: Self.monday)
            #expect(!(try await Self.outbox(world)).contains { $0.recipient == staff.email })
        }
    }

    @Test("one pass at a time: a live runner's pass is left alone, a silent one's is taken over and resumed")
    func onePassAtATime() async throws {
        try await APITestWorld.with { world, client in
            let platform = world.services.migrator.platformSchema.rawValue
            let pass = try world.services.reminderPass(logger: Logger(label: "test"))
            try await world.services.pool.query(
                "UPDATE \(identifier: platform).reminder_pass SET running_by = 'elsewhere', heartbeat_at = now(), pass_at = \(Self.monday), cursor = NULL, finished_at = NULL"
            )
            let refused = try await pass.run(at: Self.monday)
            #expect(!refused.ran)
            // The other runner went quiet half-way (after B's schema, say): this one resumes after it.
            let schemas = [world.a.organisation.schema.rawValue, world.b.organisation.schema.rawValue].sorted()
            try await world.services.pool.query(
                "UPDATE \(identifier: platform).reminder_pass SET heartbeat_at = now() - interval '10 minutes', cursor = \(schemas[0])")
            let resumed = try await pass.run(at: Self.monday)
            #expect(resumed.ran)
            #expect(resumed.resumed)
            #expect(resumed.organisations == 1)
            let row = try await world.services.pool.query(
                "SELECT running_by, finished_at IS NOT NULL AS finished FROM \(identifier: platform).reminder_pass"
            ).one()
            #expect(try row.decode("running_by", as: String?.self) == nil)
            #expect(try row.decode("finished", as: Bool.self))
        }
    }

    @Test("senders take different messages (SKIP LOCKED and a lease); failures back off, then die; a code's text goes once sent")
    func outboxClaims() async throws {
        try await APITestWorld.with { world, client in
            let services = world.services
            let platform = services.migrator.platformSchema
            for n in 0..<20 {
                let message = MailMessage(
                    messageID: "<test.\(n)@luotsi.test>", from: "luotsi@luotsi.test", to: "p\(n)@a.example", subject: "Testi \(n)",
                    text: "Hei", html: nil, unsubscribe: nil, date: Date())
                try await services.pool.query(MailOutbox.insert(message, kind: .passwordCode, sensitive: n == 0, platform: platform))
                // The same message again is not a second one.
                try await services.pool.query(MailOutbox.insert(message, kind: .passwordCode, platform: platform))
            }
            async let first = services.outbox.claim(limit: 10, lease: .seconds(60))
            async let second = services.outbox.claim(limit: 10, lease: .seconds(60))
            let (a, b) = try await (first, second)
            #expect(a.count + b.count == 20)
            #expect(Set(a.map(\.id)).isDisjoint(with: Set(b.map(\.id))))
            #expect(try await services.outbox.claim(limit: 10, lease: .seconds(60)).isEmpty)

            let sensitive = try #require((a + b).first { $0.messageID == "<test.0@luotsi.test>" })
            try await services.outbox.markSent(sensitive.id)
            let failing = try #require((a + b).first { $0.messageID == "<test.1@luotsi.test>" })
            try await services.outbox.markFailed(failing, error: "connection refused", permanent: false)
            let refused = try #require((a + b).first { $0.messageID == "<test.2@luotsi.test>" })
            try await services.outbox.markFailed(refused, error: "550 no such mailbox", permanent: true)
            let rows = try await services.pool.query(
                """
                SELECT message_id, body IS NULL AS emptied, sent_at IS NOT NULL AS sent, dead_at IS NOT NULL AS dead,
                       next_attempt_at > now() AS later, last_error FROM \(schema: platform).mail_outbox
                WHERE message_id IN ('<test.0@luotsi.test>', '<test.1@luotsi.test>', '<test.2@luotsi.test>') ORDER BY message_id
                """)
            #expect(try rows.map { try $0.decode("emptied", as: Bool.self) } == [true, false, false])
            #expect(try rows.map { try $0.decode("sent", as: Bool.self) } == [true, false, false])
            #expect(try rows.map { try $0.decode("dead", as: Bool.self) } == [false, false, true])
            #expect(try rows[1].decode("later", as: Bool.self))
            #expect(try rows[1].decode("last_error", as: String?.self) == "connection refused")

            // The last allowed attempt fails: a dead letter, shown to the platform administrator, who may try it again.
            try await services.outbox.markFailed(
                .init(
                    id: failing.id, messageID: failing.messageID, recipient: failing.recipient, body: "",
                    attempts: services.mail.maxAttempts),
                error: "still refused", permanent: false)
            let status = try await client.call(.get, "/api/v1/platform/mail", token: world.adminToken)
            #expect(status.json["dead"] as? Int == 2)
            let letters = status.json["deadLetters"] as? [[String: Any]] ?? []
            #expect(Set(letters.compactMap { $0["lastError"] as? String }) == ["still refused", "550 no such mailbox"])
            #expect(try await client.call(.get, "/api/v1/platform/mail", token: world.a.tokens[.management]!).status == .forbidden)
            let retried = try await client.call(.post, "/api/v1/platform/mail/\(failing.id)/retry", token: world.adminToken)
            #expect(retried.status == .noContent)
            #expect(try await services.outbox.claim(limit: 10, lease: .seconds(60)).map(\.messageID) == ["<test.1@luotsi.test>"])
            let again = try await client.call(.post, "/api/v1/platform/mail/\(failing.id)/retry", token: world.adminToken)
            #expect(again.status == .notFound)
        }
    }

    @Test("a message renders as RFC 5322: CRLF, encoded subject, base64 parts that decode to the texts")
    func messageRendering() throws {
        let message = MailMessage(
            messageID: "<digest.2027-W09.x@luotsi.test>", from: "luotsi@luotsi.test", to: "anna@a.example",
            subject: "Luotsin viikkokooste: 2 erääntynyttä asiaa", text: "Hei Anna,\nTehtävä ”X”", html: "<p>Hei Anna</p>",
            unsubscribe: URL(string: "http://luotsi.test/unsubscribe/a.b.c"), date: Date(timeIntervalSince1970: 0))
        let rendered = message.rendered
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(rendered.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        #expect(rendered.contains("Subject: =?utf-8?B?"))
        #expect(rendered.contains("List-Unsubscribe: <http://luotsi.test/unsubscribe/a.b.c>\r\n"))
        #expect(Self.textPart(of: rendered) == "Hei Anna,\r\nTehtävä ”X”")
        let decodedSubject = rendered.matches(of: /=\?utf-8\?B\?([A-Za-z0-9+\/=]+)\?=/).compactMap {
            Data(base64Encoded: String($0.1)).map { String(decoding: $0, as: UTF8.self) }
        }.joined()
        #expect(decodedSubject == "Luotsin viikkokooste: 2 erääntynyttä asiaa")
        #expect(throws: LuotsiError.self) { try SMTPServer(parsing: "http://mail.example") }
        let server = try SMTPServer(parsing: "smtp://luotsi%40kunta.fi:p%C3%A4ss@mail.kunta.fi:587")
        #expect(server.url == "smtp://mail.kunta.fi:587")
        #expect(server.user == "luotsi@kunta.fi")
        #expect(server.password == "päss")
        #expect(!server.description.contains("päss"))
    }

    @Test("the pass rests as long as it worked, unless the organisations left would then miss the window")
    func pacing() {
        var roomy = ReminderPass.Pacing(pace: 1, deadline: .now + .seconds(3600), organisations: 100)
        #expect(roomy.rest(afterWorking: .milliseconds(20)) == .milliseconds(20))
        var half = ReminderPass.Pacing(pace: 0.5, deadline: .now + .seconds(3600), organisations: 100)
        #expect(half.rest(afterWorking: .milliseconds(20)) == .milliseconds(10))
        // 1,000 left at 20 ms each need 20 s; with 10 s to go there is no time to rest.
        var late = ReminderPass.Pacing(pace: 1, deadline: .now + .seconds(10), organisations: 1001)
        #expect(late.rest(afterWorking: .milliseconds(20)) == nil)
        // Some slack: it is shared out, never more than the pace allows.
        var tight = ReminderPass.Pacing(pace: 1, deadline: .now + .seconds(25), organisations: 1001)
        let rest = tight.rest(afterWorking: .milliseconds(20))
        #expect(rest.map { $0 > .milliseconds(3) && $0 < .milliseconds(6) } == true)
        var flat = ReminderPass.Pacing(pace: 0, deadline: .now + .seconds(3600), organisations: 10)
        #expect(flat.rest(afterWorking: .milliseconds(20)) == nil)
    }

    @Test("e-mail settings from the environment: sensible defaults, clear refusals")
    func settings() throws {
        let defaults = try MailSettings(environment: [:])
        #expect(!defaults.isOn)
        #expect(defaults.publicURL.absoluteString == "http://localhost:8080")
        #expect(defaults.from == "luotsi@localhost")
        #expect(defaults.reminderTime.map { [$0.hour, $0.minute] } == [5, 0])
        let set = try MailSettings(environment: [
            "LUOTSI_SMTP_URL": "smtps://mail.kunta.fi", "LUOTSI_PUBLIC_URL": "https://luotsi.kunta.fi/", "LUOTSI_REMINDERS_AT": "07:30",
            "LUOTSI_REMINDER_PACE": "0",
        ])
        #expect(set.isOn)
        #expect(set.from == "luotsi@luotsi.kunta.fi")
        #expect(set.link("/notifications").absoluteString == "https://luotsi.kunta.fi/notifications")
        #expect(set.reminderTime.map { [$0.hour, $0.minute] } == [7, 30])
        #expect(set.reminderPace == 0)
        #expect(try MailSettings(environment: ["LUOTSI_REMINDERS_AT": "off"]).reminderTime == nil)
        for (name, value) in [
            ("LUOTSI_REMINDERS_AT", "25:00"), ("LUOTSI_REMINDERS_AT", "7"), ("LUOTSI_PUBLIC_URL", "ftp://x"),
            ("LUOTSI_MAIL_FROM", "not an address"), ("LUOTSI_SMTP_URL", "mail.kunta.fi"), ("LUOTSI_REMINDER_PACE", "fast"),
            ("LUOTSI_MAIL_MAX_ATTEMPTS", "0"),
        ] {
            #expect(throws: LuotsiError.self, "\(name)=\(value)") { try MailSettings(environment: [name: value]) }
        }
    }

    /// The plain-text part of a rendered message, decoded.
    static func textPart(of message: String) -> String? {
        guard let start = message.range(of: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n") else {
            return nil
        }
        let rest = message[start.upperBound...]
        let encoded = rest.prefix { $0 != "-" }.replacingOccurrences(of: "\r\n", with: "")
        return Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) }
    }
}
