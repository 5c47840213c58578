import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Pages: sign-in, forms, CSRF and language")
struct WebFormTests {
    @Test("signing in through the form sets the session cookie; a wrong password shows the error summary and keeps the email")
    func signInForm() async throws {
        try await APITestWorld.with { world, client in
            let first = try await client.page("/")
            let csrf = try #require(first.csrf)
            let cookie = try #require(first.headers[values: .setCookie].first { $0.hasPrefix(CSRF.preSessionCookie) })
            let preSession = HTTPFields([HTTPField(name: .cookie, value: String(cookie.prefix { $0 != ";" }))])
            let email = world.a.users[.staff]!.email
            let wrong = try await client.page(
                "/sign-in", method: .post,
                form: [("csrf", csrf), ("organisation", world.a.slug), ("email", email), ("password", "not it at all")],
                headers: preSession)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.html.contains("class=\"error-summary\"") && wrong.html.contains("href=\"#email\""))
            #expect(wrong.html.contains("value=\"\(email)\""))
            #expect(!wrong.html.contains("not it at all"))
            let right = try await client.page(
                "/sign-in", method: .post,
                form: [("csrf", csrf), ("organisation", world.a.slug), ("email", email), ("password", APITestWorld.password)],
                headers: preSession)
            #expect(right.status == .seeOther && right.location == "/my-work")
            let session = try #require(right.headers[values: .setCookie].first { $0.hasPrefix(AuthMiddleware.cookieName + "=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax"))
            let token = String(session.dropFirst(AuthMiddleware.cookieName.count + 1).prefix { $0 != ";" })
            #expect(try await client.page("/", session: token).location == "/my-work")
            // Without the pre-session cookie the sign-in form's token is not accepted.
            let forged = try await client.page(
                "/sign-in", method: .post,
                form: [("csrf", csrf), ("organisation", world.a.slug), ("email", email), ("password", APITestWorld.password)])
            #expect(forged.status == .forbidden)
        }
    }

    @Test("a form post without the CSRF token, with a wrong one, or from another origin gets 403 and changes nothing")
    func csrfIsRequired() async throws {
        try await WebWorld.with { world, client in
            let goal = try await world.goalID("idea", client: client)
            let staff = world.token(.staff)
            let before = try await client.call(.get, "/api/v1/orgs/\(world.slug)/goals/\(goal)/comments", token: staff).items.count
            let none = try await client.page("/goals/\(goal)/comments", method: .post, session: staff, form: [("text", "forged comment")])
            let wrong = try await client.page(
                "/goals/\(goal)/comments", method: .post, session: staff, form: [("csrf", "x"), ("text", "forged comment")])
            let otherSession = CSRF.token(forSession: world.token(.lead))
            let borrowed = try await client.page(
                "/goals/\(goal)/comments", method: .post, session: staff, form: [("csrf", otherSession), ("text", "forged comment")])
            let right = CSRF.token(forSession: staff)
            let foreign = try await client.page(
                "/goals/\(goal)/comments", method: .post, session: staff, form: [("csrf", right), ("text", "forged comment")],
                headers: [.origin: "https://evil.example"])
            for response in [none, wrong, borrowed, foreign] {
                #expect(response.status == .forbidden)
                #expect(response.template == "error")
            }
            #expect(try await client.call(.get, "/api/v1/orgs/\(world.slug)/goals/\(goal)/comments", token: staff).items.count == before)
            let ok = try await client.page(
                "/goals/\(goal)/comments", method: .post, session: staff, form: [("csrf", right), ("text", "a real comment")])
            #expect(ok.status == .seeOther)
            let after = try await client.call(.get, "/api/v1/orgs/\(world.slug)/goals/\(goal)/comments", token: staff)
            #expect(after.items.count == before + 1 && after.text.contains("a real comment"))
        }
    }

    @Test("?lang= switches and is remembered: a cookie before sign-in, the profile after; else Accept-Language, else Finnish")
    func languageChoice() async throws {
        try await APITestWorld.with { world, client in
            #expect(try await client.page("/").lang == "fi")
            #expect(try await client.page("/", headers: [.acceptLanguage: "sv-FI,sv;q=0.9,en;q=0.5"]).lang == "sv")
            let chosen = try await client.page("/?lang=en")
            #expect(chosen.lang == "en")
            let cookie = try #require(chosen.headers[values: .setCookie].first { $0.hasPrefix(LanguageChoice.cookieName) })
            let remembered = try await client.page("/", headers: [.cookie: String(cookie.prefix { $0 != ";" }), .acceptLanguage: "sv"])
            #expect(remembered.lang == "en")
            let staff = world.a.tokens[.staff]!
            #expect(try await client.page("/my-work?lang=sv", session: staff).lang == "sv")
            // The profile now says Swedish: another browser (no cookie, English Accept-Language) gets Swedish.
            #expect(try await client.page("/my-work", session: staff, headers: [.acceptLanguage: "en"]).lang == "sv")
            #expect(try await client.call(.get, "/api/v1/me", token: staff).string("language") == "sv")
        }
    }

    @Test("a stale goal edit shows 'changed meanwhile' with the current values beside what was typed, and loses nothing")
    func staleEdit() async throws {
        try await WebWorld.with { world, client in
            let goal = try await world.goalID("shortlisted", client: client)
            let lead = world.token(.lead)
            let read = try await client.call(.get, "/api/v1/orgs/\(world.slug)/goals/\(goal)", token: lead)
            let version = try #require(read.json["version"] as? Int)
            let patched = try await client.call(
                .patch, "/api/v1/orgs/\(world.slug)/goals/\(goal)", token: lead, json: ["title": "Changed by a colleague"],
                headers: [.ifMatch: ETag.value(version: version)])
            #expect(patched.status == .ok)
            let stale = try await client.page(
                "/goals/\(goal)/edit", method: .post, session: lead,
                form: [
                    ("csrf", CSRF.token(forSession: lead)), ("version", "\(version)"), ("title", "My careful wording"),
                    ("description", "typed"),
                ])
            #expect(stale.status == .conflict)
            #expect(stale.html.contains("class=\"stale\""))
            #expect(stale.html.contains("Changed by a colleague") && stale.html.contains("value=\"My careful wording\""))
            #expect(stale.html.contains("name=\"version\" value=\"\(version + 1)\""))
            let current = try await client.call(.get, "/api/v1/orgs/\(world.slug)/goals/\(goal)", token: lead)
            #expect(current.string("title") == "Changed by a colleague")
        }
    }

    @Test("a check-in through the goal page is recorded; a bad one shows the error summary in the person's language with the input kept")
    func checkInThroughThePage() async throws {
        try await WebWorld.with { world, client in
            let goal = try await world.goalID("scheduled", level: "procurement", client: client)
            let staff = world.token(.staff)
            let csrf = CSRF.token(forSession: staff)
            let bad = try await client.page(
                "/goals/\(goal)/checkins?lang=fi", method: .post, session: staff,
                form: [("csrf", csrf), ("status", "on_track"), ("attainment", "140"), ("comment", "kirjoitettu teksti")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.html.contains("href=\"#attainment\"") && bad.html.contains("kirjoitettu teksti"))
            #expect(bad.lang == "fi" && !bad.html.contains("Enter the attainment"))
            let before = try await client.call(.get, "/api/v1/orgs/\(world.slug)/goals/\(goal)/checkins", token: staff).items.count
            let good = try await client.page(
                "/goals/\(goal)/checkins", method: .post, session: staff,
                form: [("csrf", csrf), ("status", "at_risk"), ("attainment", "35"), ("comment", "")])
            #expect(good.status == .seeOther)
            let after = try await client.call(.get, "/api/v1/orgs/\(world.slug)/goals/\(goal)/checkins", token: staff)
            #expect(after.items.count == before + 1)
            #expect(after.items.last?["attainment"] as? Int == 35)
            let page = try await client.page("/goals/\(goal)", session: staff)
            #expect(page.html.contains("35 %"))
        }
    }

    @Test("signed out, a page sends the visitor to sign-in and back; error pages are HTML in the person's language without internals")
    func signedOutAndErrors() async throws {
        try await APITestWorld.with { world, client in
            let away = try await client.page("/goals")
            #expect(away.status == .seeOther && away.location == "/?next=%2Fgoals")
            let missing = try await client.page("/no-such-page?lang=sv")
            #expect(missing.status == .notFound && missing.lang == "sv" && missing.template == "error")
            #expect(missing.headers[.contentType]?.hasPrefix("text/html") == true)
            let forbidden = try await client.page("/users?lang=en", session: world.a.tokens[.staff]!)
            #expect(forbidden.status == .forbidden && forbidden.lang == "en")
            let adminOnOrganisation = try await client.page("/my-work", session: world.adminToken)
            #expect(adminOnOrganisation.status == .forbidden)
            for page in [missing, forbidden, adminOnOrganisation] {
                #expect(!page.html.contains("LuotsiError") && !page.html.contains("SELECT") && !page.html.contains("Postgres"))
            }
            // The API keeps answering problem+json.
            let api = try await client.call(.get, "/api/v1/no-such")
            #expect(api.headers[.contentType] == "application/problem+json")
        }
    }
}
