import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Every route refuses callers who are not signed in")
struct EveryRouteTests {
    static let open: Set<String> = ["POST /api/v1/auth/login", "POST /api/v1/auth/password-code", "GET /api/v1/openapi.json"]

    @Test("each registered API route answers 401 problem+json without a session, and with a revoked one")
    func everyRouteNeedsASession() async throws {
        try await APITestWorld.with { world, client in
            let routes = buildRouter(services: world.services).routes.routes
            let revoked = world.a.tokens[.staff]!
            #expect(try await client.call(.post, "/api/v1/auth/logout", token: revoked).status == .noContent)
            for route in routes where !Self.open.contains(route) {
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0]))!
                let path = String(parts[1]).replacingOccurrences(of: "{org}", with: world.a.slug)
                    .replacingOccurrences(of: "{id}", with: UUID().uuidString).replacingOccurrences(of: "{version}", with: "1")
                    .replacingOccurrences(of: "{code}", with: "SM-1")
                for token in [nil, revoked] {
                    let response = try await client.call(
                        method, path, token: token, json: method == .get || method == .delete ? nil : [String: Any]())
                    #expect(response.status == .unauthorized, "\(route): \(response.status)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.headers[.wwwAuthenticate] != nil)
                }
            }
        }
    }

    @Test("the catalogue draft can be replaced whole or discarded; publishing needs a draft")
    func catalogueDraftLifecycle() async throws {
        try await APITestWorld.with { world, client in
            let admin = world.adminToken
            #expect(
                try await client.call(.post, "/api/v1/platform/catalogue/draft/publish", token: admin, json: [String: Any]()).status
                    == .notFound)
            #expect(try await client.call(.get, "/api/v1/platform/catalogue/versions/99", token: admin).status == .notFound)
            let draft = try await client.call(.post, "/api/v1/platform/catalogue/draft", token: admin)
            #expect(draft.status == .created)
            #expect(try await client.call(.post, "/api/v1/platform/catalogue/draft", token: admin).status == .ok)
            var document = try #require(draft.json["document"] as? [String: Any])
            var themes = try #require(document["themes"] as? [[String: Any]])
            themes[0]["statement"] = ["fi": "Uusi linjaus", "sv": "Ny linje", "en": "A new line"]
            document["themes"] = themes
            let replaced = try await client.call(.put, "/api/v1/platform/catalogue/draft", token: admin, json: document)
            #expect(replaced.status == .ok, "\(replaced.text)")
            var unknown = document
            unknown["colour"] = "blue"
            let refused = try await client.call(.put, "/api/v1/platform/catalogue/draft", token: admin, json: unknown)
            #expect(refused.status == .unprocessableContent && refused.string("field") == "colour")
            themes[2]["code"] = "FP"  // KM (no goals) renamed to the next theme's code
            document["themes"] = themes
            let duplicate = try await client.call(.put, "/api/v1/platform/catalogue/draft", token: admin, json: document)
            #expect(duplicate.status == .unprocessableContent && duplicate.string("field") == "themes[3].code", "\(duplicate.text)")
            #expect(try await client.call(.delete, "/api/v1/platform/catalogue/draft", token: admin).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/platform/catalogue/draft", token: admin).status == .notFound)
            // Only the published versions the bundled catalogue files made remain.
            let versions = try await client.call(.get, "/api/v1/platform/catalogue/versions", token: admin)
            #expect(versions.items.count == world.services.catalogueSeeds.count)
        }
    }

    @Test("profile language and organisation settings reject bad values")
    func profileAndSettings() async throws {
        try await APITestWorld.with { world, client in
            let token = world.a.tokens[.staff]!
            let bad = try await client.call(.patch, "/api/v1/me", token: token, json: ["language": "de"])
            #expect(bad.status == .unprocessableContent && bad.string("field") == "language")
            let cleared = try await client.call(.patch, "/api/v1/me", token: token, json: ["language": NSNull()])
            #expect(cleared.status == .ok && cleared.string("language") == nil)
            let settings = try await client.call(.get, "/api/v1/orgs/\(world.a.slug)/settings", token: token)
            #expect(settings.json["checkinDueDays"] as? Int == 30)
            let outOfRange = try await client.call(
                .patch, "/api/v1/orgs/\(world.a.slug)/settings", token: world.a.tokens[.management]!, json: ["checkinDueDays": 0])
            #expect(outOfRange.status == .unprocessableContent && outOfRange.string("field") == "checkinDueDays")
        }
    }
}
