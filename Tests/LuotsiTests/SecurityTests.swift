import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdOTP
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

/// Regression tests for the holes an attacker's read of the code found (issue 7). Each failed on
/// the code before its fix.
@Suite("Security: sign-in, cross-site requests, exports, logs, audit, sessions")
struct SecurityTests {
    @Test("a NUL in the email or the organisation never signs in, even with the right password")
    func nulNeverSignsIn() async throws {
        try await APITestWorld.with { world, client in
            let email = "staff@\(world.a.slug).example"
            for body in [
                ["organisation": world.a.slug, "email": email + "\u{0}x", "password": APITestWorld.password],
                ["organisation": world.a.slug + "\u{0}zz", "email": email, "password": APITestWorld.password],
            ] {
                let response = try await client.call(.post, "/api/v1/auth/login", json: body)
                #expect(response.status == .unauthorized, "\(body)")
            }
            // At the binding layer: a bound U+0000 is refused before it reaches libpq.
            await #expect(throws: PostgresError.self) {
                try await world.services.pool.query("SELECT \("victim\u{0}x") AS v")
            }
        }
    }

    @Test("parallel wrong passwords for one account are counted before bcrypt: only the free attempts reach it")
    func parallelGuessesAreCounted() async throws {
        try await APITestWorld.with { world, client in
            let body = ["organisation": world.a.slug, "email": "lead@\(world.a.slug).example", "password": "wrong wrong wrong"]
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<16 { group.addTask { try await client.call(.post, "/api/v1/auth/login", json: body).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == LoginThrottle.pair.free)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 16 - LoginThrottle.pair.free)
        }
    }

    @Test("a stranger guessing from many addresses only slows a colleague down, and the throttle lives in PostgreSQL")
    func strangerCannotLockOut() async throws {
        let services = try await TestSupport.isolatedServices()
        do {
            // Another instance over the same database sees the same counts.
            let one = LoginThrottle(pool: services.pool, platform: services.migrator.platformSchema)
            let other = LoginThrottle(pool: TestSupport.pool(size: 1), platform: services.migrator.platformSchema)
            for address in 0..<12 {
                for _ in 0..<LoginThrottle.pair.free {
                    _ = try await (address.isMultiple(of: 2) ? one : other).wait(
                        .init(organisation: "x", email: "victim@x.fi", address: "10.0.0.\(address)"))
                }
                // The pair (this account at this address) is held back for 30 s after its free attempts.
                if address == 0 {
                    #expect(try await one.wait(.init(organisation: "x", email: "victim@x.fi", address: "10.0.0.0")) > 20)
                }
            }
            // The account-wide count is engaged by the spread-out guessing…
            let counted: Int = try await services.pool.query(
                "SELECT failures FROM \(identifier: services.migrator.platformSchema.rawValue).login_throttle WHERE key = 'account|x|victim@x.fi'"
            )[0].decode("failures")
            #expect(counted >= LoginThrottle.account.free)
            // …but the colleague at their own desk waits at most the account-wide cap, never a lockout.
            let wait = try await other.wait(.init(organisation: "x", email: "victim@x.fi", address: "192.0.2.7"))
            #expect(wait <= Double(LoginThrottle.account.maxDelaySeconds))
            // A successful sign-in clears the account and gives the address its attempt back.
            let attempt = LoginThrottle.Attempt(organisation: "x", email: "victim@x.fi", address: "192.0.2.7")
            try await one.succeeded(attempt, .init(knownDevice: false, countedAddress: true), device: nil)
            #expect(try await one.wait(.init(organisation: "x", email: "victim@x.fi", address: "192.0.2.7")) == 0)
        } catch {
            try await TestSupport.tearDown(services)
            throw error
        }
        try await TestSupport.tearDown(services)
    }

    @Test("bcrypt runs a few at a time and a flood beyond the queue is turned away at once")
    func bcryptIsBounded() async throws {
        let gate = BcryptGate(limit: 1, queueLimit: 1)
        #expect(await gate.enter(bounded: true))
        let queued = Task { await gate.enter(bounded: true) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await gate.enter(bounded: true) == false)
        await gate.leave()
        #expect(await queued.value)
        await gate.leave()
        #expect(await gate.enter(bounded: true))
    }

    @Test("a password with a NUL is refused, and every character of a password longer than bcrypt's 72 bytes counts")
    func passwordRules() async throws {
        #expect(throws: LuotsiError.self) { try PasswordHasher.validate("\u{0}" + String(repeating: "a", count: 11)) }
        #expect(throws: LuotsiError.self) { try PasswordHasher.validate(String(repeating: "a", count: 201)) }
        try PasswordHasher.validate(String(repeating: "ä", count: 200))
        // Lengths count code points, as the OpenAPI document's JSON Schema does: 12 of them pass.
        try PasswordHasher.validate(String(repeating: "e\u{301}", count: 6))
        let long = String(repeating: "ä", count: 36) + "first"
        let hash = await PasswordHasher.hash(long)
        #expect(try await PasswordHasher.verify(long, hash: hash))
        #expect(try await PasswordHasher.verify(String(repeating: "ä", count: 36) + "other", hash: hash) == false)
        #expect(try await PasswordHasher.verify(String(repeating: "ä", count: 36), hash: hash) == false)
        // A password of at most 72 bytes is hashed as it is, so hashes stored before still verify.
        let short = "correct horse battery"
        #expect(try await PasswordHasher.verify(short, hash: Bcrypt.hash(short, cost: 4)))
    }

    @Test("a change made with the session cookie from another site, or not as JSON, is refused; bearer tokens are unaffected")
    func crossSiteAPIWrites() async throws {
        try await WebWorld.with { world, client in
            let staff = world.token(.staff)
            let cookie: HTTPFields = [.cookie: "\(AuthMiddleware.cookieName)=\(staff)"]
            var evil = cookie
            evil[.origin] = "https://evil.example"
            var plain = evil
            plain[.contentType] = "text/plain"
            let me = try await client.execute(
                uri: "/api/v1/me", method: .patch, headers: plain, body: ByteBuffer(string: #"{"language":"en"}"#)
            ) { $0.status }
            #expect(me.code == 403)
            let goal = try await world.goalID("idea", client: client)
            let support = try await client.execute(uri: "/api/v1/orgs/\(world.slug)/goals/\(goal)/support", method: .post, headers: evil) {
                $0.status
            }
            #expect(support.code == 403)
            var noOrigin = cookie
            noOrigin[.contentType] = "text/plain"
            let sneaky = try await client.execute(
                uri: "/api/v1/me", method: .patch, headers: noOrigin, body: ByteBuffer(string: #"{"language":"en"}"#)
            ) { $0.status }
            #expect(sneaky.code == 403)
            #expect(try await client.call(.get, "/api/v1/me", token: staff).json["language"] as? String == nil)
            // The same changes with the bearer token (never sent by a browser on its own) pass.
            #expect(
                try await client.call(.patch, "/api/v1/me", token: staff, json: ["language": "en"], headers: [.origin: "https://x.example"])
                    .status == .ok)
            #expect(try await client.call(.post, "/api/v1/orgs/\(world.slug)/goals/\(goal)/support", token: staff).status == .ok)
        }
    }

    @Test("CSV cells cannot become formulas, whichever separator a spreadsheet splits the file on")
    func csvInjection() async throws {
        #expect(CSVExport.cell("x;=1+1;x") == "\"x;'=1+1;x\"")
        #expect(CSVExport.cell("a,@SUM(A1)") == "\"a,'@SUM(A1)\"")
        #expect(CSVExport.cell("\t=cmd") == "\"'\t'=cmd\"")
        #expect(CSVExport.cell("\r\n=cmd").hasPrefix("\"'"))
        #expect(CSVExport.cell("-12.5") == "-12.5")
        #expect(CSVExport.cell("a;-5") == "\"a;-5\"")
        #expect(CSVExport.cell("plain text") == "plain text")
        /// Splits as a spreadsheet that ignores quoting would, on `separator`, and finds a part
        /// that would run as a formula.
        @Sendable func formulaParts(_ line: String, _ separator: Character) -> [String] {
            line.split(separator: separator).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"\r\n")) }
                .filter { part in part.first.map { "=+-@".contains($0) } == true && Double(part) == nil }
        }
        try await APITestWorld.with { world, client in
            let token = world.a.tokens[.lead]!
            for title in ["x;=1+1;x", "y,=HYPERLINK(\"http://evil.example\")", "=cmd|' /C calc'!A0"] {
                _ = try await client.call(
                    .post, "/api/v1/orgs/\(world.a.slug)/goals", token: token, json: ["title": title, "level": "organisation"])
            }
            for delimiter in ["comma", "semicolon"] {
                let export = try await client.call(
                    .get, "/api/v1/orgs/\(world.a.slug)/export?what=goals&delimiter=\(delimiter)", token: token)
                #expect(export.status == .ok)
                for line in export.text.split(separator: "\r\n").map(String.init) {
                    #expect(formulaParts(line, ";").isEmpty, "\(delimiter): \(line)")
                    #expect(formulaParts(line, ",").isEmpty, "\(delimiter): \(line)")
                }
            }
            #expect(
                try await client.call(.get, "/api/v1/orgs/\(world.a.slug)/export?what=goals&delimiter=tab", token: token).status
                    == .unprocessableContent)
        }
    }

    @Test("request text reaches the log escaped: a newline in a JSON key cannot forge a log line")
    func logInjection() {
        let forged = "x\n2026-01-01T00:00:00+0000 critical Luotsi: owned"
        #expect(!LogText.escaped(forged).contains("\n"))
        #expect(LogText.escaped(forged).hasPrefix("x\\n2026"))
        #expect(LogText.escaped("a\u{2028}b\u{1b}[31m") == "a\\u{2028}b\\u{1b}[31m")
    }

    @Test("the audit trail is append-only for the organisation's own database role")
    func auditIsAppendOnly() async throws {
        try await WebWorld.with { world, _ in
            let schema = world.api.a.organisation.schema
            for statement: SQL in ["UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
                await #expect(throws: PostgresError.self) {
                    try await world.api.services.tenants.withTenant(schema) { try await $0.query(statement) }
                }
            }
            let count: Int = try await world.api.services.tenants.withTenant(schema) {
                try await $0.query("SELECT count(*) AS n FROM audit_log WHERE action <> 'forged'")[0].decode("n")
            }
            #expect(count > 0)
        }
    }

    @Test("responses carry nosniff, no framing and a referrer policy; API answers and the token are never cached")
    func securityHeaders() async throws {
        try await APITestWorld.with { world, client in
            let login = try await client.call(
                .post, "/api/v1/auth/login",
                json: ["organisation": world.a.slug, "email": "staff@\(world.a.slug).example", "password": APITestWorld.password])
            #expect(login.status == .ok)
            #expect(login.headers[.cacheControl] == "no-store")
            for response in [login, try await client.call(.get, "/api/v1/nowhere")] {
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[.referrerPolicy] != nil)
            }
        }
    }

    @Test("a session ends after the idle limit; malformed tokens are refused without a database look-up")
    func sessionsIdleOut() async throws {
        try await APITestWorld.with(listening: true) { world, client in
            let token = world.a.tokens[.staff]!
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .ok)
            try await world.services.pool.query(
                "UPDATE \(identifier: world.services.migrator.platformSchema.rawValue).sessions SET last_seen_at = now() - interval '3 hours' WHERE token_hash = \(SessionStore.hash(token))"
            )
            // The session's identity is cached; the platform's trigger tells the listener.
            try await world.services.sessions.awaitNotificationsApplied()
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized)
        }
        #expect(SessionStore.isWellFormed(String(repeating: "a", count: 43)))
        #expect(!SessionStore.isWellFormed(String(repeating: "a", count: 60)))
        #expect(!SessionStore.isWellFormed(String(repeating: "a", count: 42) + "!"))
    }

    @Test("every connection has a statement timeout, a lock timeout and an idle-in-transaction timeout")
    func databaseTimeouts() async throws {
        let services = try await TestSupport.isolatedServices()
        let fresh = TestSupport.pool(size: 1)
        let statement: String = try await fresh.query("SHOW statement_timeout")[0].decode("statement_timeout")
        let idle: String = try await fresh.query("SHOW idle_in_transaction_session_timeout")[0].decode(
            "idle_in_transaction_session_timeout")
        let lock: String = try await fresh.query("SHOW lock_timeout")[0].decode("lock_timeout")
        #expect(statement != "0" && idle != "0" && lock != "0")
        await fresh.close()
        try await TestSupport.tearDown(services)
    }

    @Test("a platform admin cannot isolate one organisation in the roll-up with fresh dummies and suspensions")
    func rollupCannotBeNarrowed() async throws {
        try await APITestWorld.with { world, client in
            let platform = world.services.migrator.platformSchema.rawValue
            // The victim and B are established organisations.
            try await world.services.pool.query("UPDATE \(identifier: platform).organisations SET created_at = now() - interval '90 days'")
            let catalogue = try await world.services.catalogue.view(language: .en)
            let climate = try #require(catalogue.themes.flatMap(\.goals).first { $0.code == "EL-1" })
            var adopters = [(world.a.slug, world.a.tokens[.management]!)]
            for index in 0..<2 {
                let dummy = try await APITestWorld.org(world.services, slug: "dummy\(index)-\(TestSupport.uniqueSuffix())", name: "Dummy")
                adopters.append((dummy.slug, dummy.tokens[.management]!))
            }
            for (slug, token) in adopters {
                let adopted = try await client.call(
                    .post, "/api/v1/orgs/\(slug)/goals", token: token,
                    json: ["level": "organisation", "catalogueGoalId": climate.id.uuidString])
                #expect(adopted.status == .created)
            }
            // The admin suspends everyone else.
            let suspended = try await client.call(
                .patch, "/api/v1/platform/organisations/\(world.b.slug)", token: world.adminToken, json: ["status": "suspended"])
            #expect(suspended.status == .ok)
            let rollup = try await client.call(.get, "/api/v1/platform/rollup?lang=en", token: world.adminToken)
            let figures = (rollup.json["goals"] as? [[String: Any]] ?? []).first { $0["code"] as? String == "EL-1" }
            // The fresh dummies do not count, the suspended one still does: no figure from the victim alone.
            #expect(rollup.json["organisations"] as? Int == 2)
            #expect(figures?["suppressed"] as? Bool == true)
            #expect(figures?["statuses"] == nil)
        }
    }

    @Test("platform admins' actions are recorded, append-only, in the platform audit log")
    func platformAudit() async throws {
        try await APITestWorld.with { world, client in
            let admin = world.adminToken
            let slug = "audited-\(TestSupport.uniqueSuffix())"
            let created = try await client.call(
                .post, "/api/v1/platform/organisations", token: admin,
                json: [
                    "slug": slug, "name": "Audited",
                    "management": ["email": "boss@audited.fi", "name": "Boss", "password": "long enough password"],
                ])
            #expect(created.status == .created)
            #expect(
                try await client.call(.patch, "/api/v1/platform/organisations/\(slug)", token: admin, json: ["status": "suspended"]).status
                    == .ok)
            #expect(try await client.call(.post, "/api/v1/platform/catalogue/draft", token: admin).status == .created)
            #expect(
                try await client.call(.post, "/api/v1/platform/catalogue/draft/publish", token: admin, json: ["note": "n"]).status == .ok)
            let log = try await client.call(.get, "/api/v1/platform/audit", token: admin)
            let mine = log.items.filter { $0["actorEmail"] as? String == world.adminEmail }
            #expect(
                mine.compactMap { $0["action"] as? String } == [
                    "catalogue.publish", "catalogue.draft.start", "organisation.suspend", "organisation.create",
                ])
            #expect(mine.last?["target"] as? String == slug)
            // The bundled catalogue versions were imported by the command line (migrate).
            #expect(log.items.contains { $0["action"] as? String == "catalogue.import" && $0["actorEmail"] as? String == "(command line)" })
            #expect(try await client.call(.get, "/api/v1/platform/audit", token: world.a.tokens[.management]!).status == .forbidden)
            let platform = world.services.migrator.platformSchema.rawValue
            for statement: SQL in [
                "UPDATE \(identifier: platform).platform_audit_log SET action = 'forged'",
                "DELETE FROM \(identifier: platform).platform_audit_log",
            ] {
                await #expect(throws: PostgresError.self) { try await world.services.pool.query(statement) }
            }
        }
    }

    @Test("people change their own password; management issues a one-time code instead of choosing one, and a code works once")
    func passwords() async throws {
        try await APITestWorld.with { world, client in
            let slug = world.a.slug
            let staffToken = world.a.tokens[.staff]!
            let staff = world.a.users[.staff]!
            let elsewhere = try await world.services.sessions.start(organisationID: world.a.organisation.id, userID: staff.id)
            let wrong = try await client.call(
                .post, "/api/v1/me/password", token: staffToken,
                json: ["currentPassword": "not it", "newPassword": "a brand new passphrase"])
            #expect(wrong.status == .forbidden && wrong.string("field") == "currentPassword")
            let changed = try await client.call(
                .post, "/api/v1/me/password", token: staffToken,
                json: ["currentPassword": APITestWorld.password, "newPassword": "a brand new passphrase"])
            #expect(changed.status == .ok)
            // Every earlier session ends, the one used included (a stolen copy of it too); the
            // person goes on with the new token the answer carries, also set as the cookie.
            let renewed = try #require(changed.string("token"))
            #expect(changed.headers[values: .setCookie].contains { $0.hasPrefix("luotsi_session=\(renewed);") })
            #expect(try await client.call(.get, "/api/v1/me", token: renewed).status == .ok)
            #expect(try await client.call(.get, "/api/v1/me", token: staffToken).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/me", token: elsewhere).status == .unauthorized)
            let signIn = { (email: String, password: String) in
                try await client.call(.post, "/api/v1/auth/login", json: ["organisation": slug, "email": email, "password": password])
                    .status
            }
            #expect(try await signIn(staff.email, "a brand new passphrase") == .ok)

            // Management issues a code for the lead; staff may not.
            let lead = world.a.users[.lead]!
            #expect(
                try await client.call(.post, "/api/v1/orgs/\(slug)/users/\(lead.id)/password-code", token: renewed).status == .forbidden)
            let issued = try await client.call(
                .post, "/api/v1/orgs/\(slug)/users/\(lead.id)/password-code", token: world.a.tokens[.management]!)
            #expect(issued.status == .created)
            let code = try #require(issued.string("code"))
            let redeem = { (code: String) in
                try await client.call(
                    .post, "/api/v1/auth/password-code",
                    json: ["organisation": slug, "email": lead.email, "code": code, "newPassword": "chosen by the lead alone"])
            }
            let bad = try await redeem("wrongcode123")
            #expect(bad.status == .forbidden && bad.string("field") == "code")
            #expect(try await redeem(code).status == .noContent)
            #expect(try await signIn(lead.email, "chosen by the lead alone") == .ok)
            #expect(try await redeem(code).status == .forbidden)  // once only
            // Management never saw the password; the trail shows the code and the person setting it.
            let audit = try await client.call(.get, "/api/v1/orgs/\(slug)/audit?entity=user", token: world.a.tokens[.management]!)
            let actions = audit.items.compactMap { $0["action"] as? String }
            #expect(
                actions.contains("user.password_code") && actions.contains("user.password_set") && actions.contains("user.password_change"))
            #expect(!audit.text.contains("chosen by the lead alone") && !audit.text.contains(code))
        }
    }

    @Test("an unavailable database answers 503 with Retry-After at once, and its repeated failures are logged once a kind")
    func outageAnswersAndLogsSparingly() async throws {
        let services = try await TestSupport.isolatedServices()
        do {
            // A pool pointed at a closed port: every request fails to connect.
            let broken = PostgresPool(
                configuration: .init(conninfo: "host=127.0.0.1 port=1 connect_timeout=2", maxConnections: 2, acquireTimeout: .seconds(3)))
            let app = Application(
                router: buildRouter(services: try AppServices(pool: broken, sqlDirectory: TestSupport.sqlDirectory)).router)
            try await app.test(.router) { client in
                let started = ContinuousClock.now
                let ready = try await client.execute(uri: "/health/ready", method: .get) { ($0.status, $0.headers[.retryAfter]) }
                #expect(ready.0 == .serviceUnavailable && ready.1 == "2")
                let catalogue = try await client.execute(
                    uri: "/api/v1/catalogue", method: .get, headers: [.authorization: "Bearer " + String(repeating: "a", count: 43)]
                ) { ($0.status, $0.headers[.retryAfter]) }
                #expect(catalogue.0 == .serviceUnavailable && catalogue.1 == "2")
                #expect(ContinuousClock.now - started < .seconds(10))
            }
            await broken.close()
        } catch {
            try await TestSupport.tearDown(services)
            throw error
        }
        try await TestSupport.tearDown(services)
        let limiter = RepeatLimiter(window: .seconds(60))
        #expect(limiter.admit("connection refused") == 0)
        for _ in 0..<1000 { #expect(limiter.admit("connection refused") == nil) }
        #expect(limiter.admit("another kind") == 0)
    }

    @Test("while draining after SIGTERM, readiness answers 503 so that no new work is sent here, and requests are still served")
    func drainingIsNotReady() async throws {
        try await APITestWorld.with { world, client in
            #expect(try await client.call(.get, "/health/ready").status == .ok)
            world.services.draining.start()
            let ready = try await client.call(.get, "/health/ready")
            #expect(ready.status == .serviceUnavailable && ready.headers[.retryAfter] != nil)
            #expect(try await client.call(.get, "/api/v1/me", token: world.a.tokens[.staff]!).status == .ok)
        }
    }
}

@Suite("Security: the optional second factor")
struct SecondFactorTests {
    /// The code an authenticator app shows for `key` at `date`.
    static func code(_ key: String, at date: Date = .now) -> String {
        String(format: "%06d", TOTP(secret: key, length: 6, timeStep: 30, hashFunction: .sha1).compute(date: date))
    }

    @Test("on only after a code from the new key; then sign-in needs a current code, each code works once; off with the password")
    func secondFactor() async throws {
        try await APITestWorld.with { world, client in
            let staff = world.a.users[.staff]!
            var token = world.a.tokens[.staff]!
            func signIn(_ code: String?) async throws -> APIResponse {
                var body: [String: Any] = ["organisation": world.a.slug, "email": staff.email, "password": APITestWorld.password]
                if let code { body["code"] = code }
                return try await client.call(.post, "/api/v1/auth/login", json: body)
            }
            #expect(try await client.call(.get, "/api/v1/me/second-factor", token: token).json["on"] as? Bool == false)
            // Management's /users offers to turn it off only for someone who has it on.
            let resetForm = "/users/\(staff.id.uuidString)/second-factor/reset"
            func usersPageOffersReset() async throws -> Bool {
                try await client.page("/users", session: world.a.tokens[.management]!).html.contains(resetForm)
            }
            #expect(try await usersPageOffersReset() == false)
            let enrolment = try await client.call(.post, "/api/v1/me/second-factor", token: token)
            #expect(enrolment.status == .created)
            let uri = try #require(enrolment.string("uri"))
            #expect(uri.hasPrefix("otpauth://totp/") && uri.contains("secret=\(enrolment.string("secret") ?? "-")"))
            // Until confirmed nothing changes: the password alone still signs in.
            #expect(try await signIn(nil).status == .ok)
            // Stored sealed (`SecretKeys`), never as the key itself.
            let sealed: String = try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query("SELECT totp_pending FROM users WHERE id = \(staff.id)").one().decode("totp_pending")
            }
            #expect(sealed.hasPrefix("v1:"))
            let key = try TestSupport.secretKeys.open(sealed, owner: staff.id)
            #expect(!sealed.contains(key))
            let wrong = try await client.call(.post, "/api/v1/me/second-factor/confirm", token: token, json: ["code": "000000"])
            #expect(wrong.status == .forbidden && wrong.string("field") == "code")
            let confirmed = try await client.call(
                .post, "/api/v1/me/second-factor/confirm", token: token, json: ["code": Self.code(key)])
            // On: every session of the person ends (a thief's too); this one goes on with a new token.
            #expect(confirmed.status == .ok)
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized)
            token = try #require(confirmed.string("token"))
            #expect(try await client.call(.get, "/api/v1/me/second-factor", token: token).json["on"] as? Bool == true)
            #expect(try await usersPageOffersReset())

            // The password alone is no longer enough; the answer says a code is needed.
            let needed = try await signIn(nil)
            #expect(needed.status == .unauthorized && needed.string("field") == "code")
            #expect(try await signIn("123456").status == .unauthorized)
            // The code of the confirmation's time step was used; the next step's code works, once.
            let next = Self.code(key, at: .now.addingTimeInterval(30))
            #expect(try await signIn(next).status == .ok)
            #expect(try await signIn(next).status == .unauthorized)

            // A lost phone: staff may not turn a colleague's second factor off; management may, and then
            // the password alone signs in again until the person sets it up anew.
            let reset = "/api/v1/orgs/\(world.a.slug)/users/\(staff.id)/second-factor/reset"
            #expect(try await client.call(.post, reset, token: world.a.tokens[.lead]!).status == .forbidden)
            #expect(try await client.call(.post, reset, token: world.a.tokens[.management]!).status == .noContent)
            #expect(try await usersPageOffersReset() == false)
            #expect(try await signIn(nil).status == .ok)
            #expect(try await client.call(.post, "/api/v1/me/second-factor", token: token).status == .created)
            let sealedAgain: String = try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query("SELECT totp_pending FROM users WHERE id = \(staff.id)").one().decode("totp_pending")
            }
            let again = try TestSupport.secretKeys.open(sealedAgain, owner: staff.id)
            let confirmedAgain = try await client.call(
                .post, "/api/v1/me/second-factor/confirm", token: token, json: ["code": Self.code(again, at: .now.addingTimeInterval(-30))])
            #expect(confirmedAgain.status == .ok)
            token = try #require(confirmedAgain.string("token"))

            let refused = try await client.call(
                .post, "/api/v1/me/second-factor/disable", token: token, json: ["password": "not the password"])
            #expect(refused.status == .forbidden && refused.string("field") == "password")
            #expect(
                try await client.call(.post, "/api/v1/me/second-factor/disable", token: token, json: ["password": APITestWorld.password])
                    .status == .noContent)
            #expect(try await signIn(nil).status == .ok)
            let actions: [String] = try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query("SELECT action FROM audit_log WHERE actor_id = \(staff.id) ORDER BY seq").map { try $0.decode("action") }
            }
            #expect(actions.contains("user.second_factor_on") && actions.contains("user.second_factor_off"))
            let resets: Int = try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query("SELECT count(*) AS n FROM audit_log WHERE action = 'user.second_factor_reset'")[0].decode("n")
            }
            #expect(resets == 1)
        }
    }

    @Test("a platform administrator's second factor guards the platform sign-in too")
    func platformAdministrator() async throws {
        try await APITestWorld.with { world, client in
            let token = world.adminToken
            #expect(try await client.call(.post, "/api/v1/me/second-factor", token: token).status == .created)
            let platform = world.services.migrator.platformSchema.rawValue
            let admin = try await world.services.pool.query(
                "SELECT totp_pending, id FROM \(identifier: platform).platform_admins WHERE email = \(world.adminEmail)"
            ).one()
            let key = try TestSupport.secretKeys.open(try admin.decode("totp_pending"), owner: try admin.decode("id"))
            #expect(
                try await client.call(.post, "/api/v1/me/second-factor/confirm", token: token, json: ["code": SecondFactorTests.code(key)])
                    .status == .ok)
            let body: [String: Any] = ["email": world.adminEmail, "password": APITestWorld.password]
            #expect(try await client.call(.post, "/api/v1/auth/login", json: body).status == .unauthorized)
            var withCode = body
            withCode["code"] = SecondFactorTests.code(key, at: .now.addingTimeInterval(30))
            #expect(try await client.call(.post, "/api/v1/auth/login", json: withCode).status == .ok)
            let audited: Int = try await world.services.pool.query(
                "SELECT count(*) AS n FROM \(identifier: platform).platform_audit_log WHERE action = 'admin.second_factor_on'")[0].decode(
                    "n")
            #expect(audited == 1)
        }
    }
}
