import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Sign-in, sessions and suspension")
struct AuthTests {
    @Test("signing in gives a bearer token and an HttpOnly SameSite=Lax cookie; /me answers with either")
    func signInAndMe() async throws {
        try await APITestWorld.with { world, client in
            let login = try await client.call(
                .post, "/api/v1/auth/login",
                json: ["organisation": world.a.slug, "email": "LEAD@\(world.a.slug).example", "password": APITestWorld.password])
            #expect(login.status == .ok)
            let token = try #require(login.string("token"))
            #expect(token.count >= 43)  // 256 bits in base64url
            let user = try #require(login.json["user"] as? [String: Any])
            #expect(user["role"] as? String == "lead")
            #expect((user["organisation"] as? [String: Any])?["slug"] as? String == world.a.slug)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.contains("luotsi_session=\(token)") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            // Only a hash of the token is stored.
            let stored = try await world.services.pool.query(
                "SELECT count(*) AS n FROM \(identifier: world.services.migrator.platformSchema.rawValue).sessions WHERE token_hash = \(token)"
            )
            #expect(try stored[0].decode("n", as: Int.self) == 0)

            let me = try await client.call(.get, "/api/v1/me", token: token)
            #expect(me.status == .ok && me.string("email") == "lead@\(world.a.slug).example")
            let byCookie = try await client.call(.get, "/api/v1/me", headers: [.cookie: "luotsi_session=\(token)"])
            #expect(byCookie.status == .ok)

            let language = try await client.call(.patch, "/api/v1/me", token: token, json: ["language": "sv"])
            #expect(language.string("language") == "sv")
            #expect(try await client.call(.get, "/api/v1/me", token: token).string("language") == "sv")

            let logout = try await client.call(.post, "/api/v1/auth/logout", token: token)
            #expect(logout.status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test("platform admins sign in without an organisation")
    func platformAdminSignIn() async throws {
        try await APITestWorld.with { world, client in
            let login = try await client.call(
                .post, "/api/v1/auth/login", json: ["email": world.adminEmail, "password": APITestWorld.password])
            #expect(login.status == .ok)
            #expect((login.json["user"] as? [String: Any])?["role"] as? String == "platform_admin")
        }
    }

    @Test("wrong passwords, unknown people and unknown organisations all get the same 401")
    func failedSignIns() async throws {
        try await APITestWorld.with { world, client in
            for body in [
                ["organisation": world.a.slug, "email": "lead@\(world.a.slug).example", "password": "wrong password!!"],
                ["organisation": world.a.slug, "email": "nobody@\(world.a.slug).example", "password": APITestWorld.password],
                ["organisation": "no-such-org", "email": "lead@\(world.a.slug).example", "password": APITestWorld.password],
                ["organisation": world.b.slug, "email": "lead@\(world.a.slug).example", "password": APITestWorld.password],
                ["email": "lead@\(world.a.slug).example", "password": APITestWorld.password],
            ] {
                let response = try await client.call(.post, "/api/v1/auth/login", json: body)
                #expect(response.status == .unauthorized, "\(body)")
                #expect(response.string("detail") == "not signed in")
                #expect(response.string("token") == nil)
            }
            #expect(try await client.call(.get, "/api/v1/me").status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/me", token: "not-a-real-token-not-a-real-token").status == .unauthorized)
        }
    }

    @Test("repeated failures for one account are throttled with 429")
    func throttling() async throws {
        try await APITestWorld.with { world, client in
            let body = ["organisation": world.a.slug, "email": "staff@\(world.a.slug).example", "password": "definitely wrong"]
            for _ in 0..<5 { #expect(try await client.call(.post, "/api/v1/auth/login", json: body).status == .unauthorized) }
            let throttled = try await client.call(.post, "/api/v1/auth/login", json: body)
            #expect(throttled.status == .tooManyRequests)
            // Even the right password waits out the window.
            var right = body
            right["password"] = APITestWorld.password
            #expect(try await client.call(.post, "/api/v1/auth/login", json: right).status == .tooManyRequests)
        }
    }

    @Test("a suspended organisation's users cannot sign in, their sessions end, and nothing is deleted")
    func suspension() async throws {
        try await APITestWorld.with { world, client in
            let org = "/api/v1/orgs/\(world.a.slug)"
            let token = world.a.tokens[.management]!
            _ = try await client.call(.post, "\(org)/goals", token: token, json: ["title": "Säilyy", "level": "organisation"])
            let suspend = try await client.call(
                .patch, "/api/v1/platform/organisations/\(world.a.slug)", token: world.adminToken, json: ["status": "suspended"])
            #expect(suspend.status == .ok && suspend.string("status") == "suspended")
            #expect(try await client.call(.get, "\(org)/goals", token: token).status == .unauthorized)
            let login = try await client.call(
                .post, "/api/v1/auth/login",
                json: ["organisation": world.a.slug, "email": "management@\(world.a.slug).example", "password": APITestWorld.password])
            #expect(login.status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/orgs/\(world.b.slug)/goals", token: world.b.tokens[.staff]!).status == .ok)
            _ = try await client.call(
                .patch, "/api/v1/platform/organisations/\(world.a.slug)", token: world.adminToken, json: ["status": "active"])
            let again = try await client.call(
                .post, "/api/v1/auth/login",
                json: ["organisation": world.a.slug, "email": "management@\(world.a.slug).example", "password": APITestWorld.password])
            #expect(again.status == .ok)
            let goals = try await client.call(.get, "\(org)/goals", token: try #require(again.string("token")))
            #expect(goals.items.count == 1)
        }
    }

    @Test("platform admins create and list organisations; bad and duplicate slugs are refused")
    func platformOrganisations() async throws {
        try await APITestWorld.with { world, client in
            let slug = "c-\(TestSupport.uniqueSuffix())"
            let created = try await client.call(
                .post, "/api/v1/platform/organisations", token: world.adminToken,
                json: [
                    "slug": slug, "name": "Gamma",
                    "management": ["email": "boss@c.example", "name": "Boss", "password": APITestWorld.password],
                ])
            #expect(created.status == .created)
            #expect(!created.text.contains("org_"), "schema names stay internal")
            let list = try await client.call(.get, "/api/v1/platform/organisations", token: world.adminToken)
            #expect(list.items.count == 3)
            let duplicate = try await client.call(
                .post, "/api/v1/platform/organisations", token: world.adminToken,
                json: [
                    "slug": slug, "name": "Gamma",
                    "management": ["email": "boss@c.example", "name": "Boss", "password": APITestWorld.password],
                ])
            #expect(duplicate.status == .conflict)
            let hostile = try await client.call(
                .post, "/api/v1/platform/organisations", token: world.adminToken,
                json: [
                    "slug": "x; drop schema platform", "name": "X",
                    "management": ["email": "a@b.fi", "name": "A", "password": APITestWorld.password],
                ])
            #expect(hostile.status == .unprocessableContent && hostile.string("field") == "slug")
            let login = try await client.call(
                .post, "/api/v1/auth/login", json: ["organisation": slug, "email": "boss@c.example", "password": APITestWorld.password])
            #expect((login.json["user"] as? [String: Any])?["role"] as? String == "management")
            #expect(
                try await client.call(.patch, "/api/v1/platform/organisations/nope", token: world.adminToken, json: ["status": "suspended"])
                    .status == .notFound)
        }
    }
}
