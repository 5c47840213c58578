import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Luotsi

/// Issue 16: another site cannot sign a visitor in, a stolen session cannot guess the password,
/// and a one-time code is checked before any bcrypt work is queued.
@Suite("Sign-in abuse: login CSRF, the password oracle, cross-site side effects")
struct SignInAbuseTests {
    @Test("another site cannot sign a visitor's browser in, through the API or the form")
    func loginCSRF() async throws {
        try await APITestWorld.with { world, client in
            let body = ["organisation": world.a.slug, "email": "staff@\(world.a.slug).example", "password": APITestWorld.password]
            let raw = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            for headers: HTTPFields in [
                [.origin: "https://evil.example", .contentType: "text/plain"], [.origin: "null"], [.secFetchSite: "cross-site"],
                [.secFetchSite: "same-site"],
            ] {
                var headers = headers
                if headers[.contentType] == nil { headers[.contentType] = "application/json" }
                let status = try await client.execute(
                    uri: "/api/v1/auth/login", method: .post, headers: headers, body: ByteBuffer(string: raw)
                ) { $0.status }
                #expect(status == .forbidden, "\(headers)")
            }
            // The same sign-in from this site, or from no browser at all, works.
            #expect(try await client.call(.post, "/api/v1/auth/login", json: body).status == .ok)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: body, headers: [.secFetchSite: "same-origin"]).status == .ok)

            // The form with a token of the attacker's own choosing, from a page that hides its origin.
            let chosen = String(repeating: "A", count: 43)
            let forged = try await client.page(
                "/sign-in", method: .post,
                form: [
                    ("csrf", chosen), ("organisation", world.a.slug), ("email", "staff@\(world.a.slug).example"),
                    ("password", APITestWorld.password),
                ],
                headers: [.cookie: "\(CSRF.preSessionCookie)=\(chosen)", .origin: "null"])
            #expect(forged.status == .forbidden)
            #expect(!forged.headers[values: .setCookie].contains { $0.hasPrefix(AuthMiddleware.cookieName + "=") })
        }
    }

    @Test("wrong current passwords are counted like failed sign-ins: a stolen session cannot guess at bcrypt's speed")
    func passwordOracle() async throws {
        try await APITestWorld.with { world, client in
            let token = world.a.tokens[.staff]!
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<8 {
                statuses.append(
                    try await client.call(
                        .post, "/api/v1/me/password", token: token,
                        json: ["currentPassword": "guess \(index)", "newPassword": "long new passphrase"]
                    ).status)
            }
            #expect(
                statuses.prefix(5).allSatisfy { $0 == .forbidden } && statuses.suffix(3).allSatisfy { $0 == .tooManyRequests },
                "\(statuses)")
            // The right one now waits too: the count is per account, not per guess.
            #expect(
                try await client.call(
                    .post, "/api/v1/me/password", token: token,
                    json: ["currentPassword": APITestWorld.password, "newPassword": "long new passphrase"]
                ).status == .tooManyRequests)
            // Turning the second factor off is a proof of the password too, counted the same way.
            let lead = world.a.tokens[.lead]!
            var off: [HTTPResponse.Status] = []
            for _ in 0..<7 {
                off.append(
                    try await client.call(.post, "/api/v1/me/second-factor/disable", token: lead, json: ["password": "guess"]).status)
            }
            #expect(off.prefix(5).allSatisfy { $0 == .forbidden } && off.suffix(2).allSatisfy { $0 == .tooManyRequests }, "\(off)")
        }
    }

    @Test("a link from another site shows the language it names but does not change the stored one")
    func crossSiteLanguage() async throws {
        try await APITestWorld.with { world, client in
            let token = world.a.tokens[.staff]!
            func stored() async throws -> String? { try await client.call(.get, "/api/v1/me", token: token).string("language") }
            let before = try await stored()
            let crossSite = try await client.page("/goals?lang=sv", session: token, headers: [.secFetchSite: "cross-site"])
            #expect(crossSite.lang == "sv")
            #expect(try await stored() == before)
            _ = try await client.page("/goals?lang=sv", session: token, headers: [.secFetchSite: "same-origin"])
            #expect(try await stored() == "sv")
        }
    }

    @Test("the not-found page of //evil.example/x links only to this site")
    func notFoundLinksStayHere() async throws {
        try await APITestWorld.with { _, client in
            let page = try await client.page("//evil.example/x")
            #expect(page.status == .notFound)
            #expect(!page.html.contains("href=\"//evil.example"))
            #expect(page.html.contains("href=\"/?lang=sv\""))
        }
    }

    @Test("a one-time code is checked before the new password is hashed, and still sets the password")
    func codeBeforeHash() async throws {
        try await APITestWorld.with { world, client in
            let slug = world.a.slug
            let staff = world.a.users[.staff]!
            let redeem = { (organisation: String, code: String) in
                try await client.call(
                    .post, "/api/v1/auth/password-code",
                    json: ["organisation": organisation, "email": staff.email, "code": code, "newPassword": "set with a code now"])
            }
            // Both refusals look the same; neither queues bcrypt work (timed in Tests/security/probe.py).
            let unknown = try await redeem("no-such-organisation", "abcdefghjkmn")
            let wrong = try await redeem(slug, "abcdefghjkmn")
            #expect(unknown.status == .forbidden && wrong.status == .forbidden && unknown.string("detail") == wrong.string("detail"))
            let issued = try await client.call(
                .post, "/api/v1/orgs/\(slug)/users/\(staff.id)/password-code", token: world.a.tokens[.management]!)
            let code = try #require(issued.string("code"))
            #expect(try await redeem(slug, code).status == .noContent)
            #expect(try await redeem(slug, code).status == .forbidden)  // once only
            #expect(
                try await client.call(
                    .post, "/api/v1/auth/login", json: ["organisation": slug, "email": staff.email, "password": "set with a code now"]
                ).status == .ok)
        }
    }
}
