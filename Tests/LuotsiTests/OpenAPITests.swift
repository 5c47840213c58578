import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("The OpenAPI document")
struct OpenAPITests {
    /// `METHOD /path` for every operation in the committed document.
    static func documentedRoutes() throws -> Set<String> {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
        #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var routes = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                routes.insert("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    @Test("every registered route is documented and every documented route exists")
    func documentMatchesRoutes() async throws {
        let services = try await TestSupport.isolatedServices()
        let registered = buildRouter(services: services).routes.routes
        #expect(registered.count == Set(registered).count, "a route is registered twice")
        let documented = try Self.documentedRoutes()
        let missing = Set(registered).subtracting(documented)
        let extra = documented.subtracting(registered)
        #expect(missing.isEmpty, "registered but not documented: \(missing.sorted())")
        #expect(extra.isEmpty, "documented but not registered: \(extra.sorted())")
        #expect(registered.count > 40)
        try await TestSupport.tearDown(services)
    }

    @Test("the document is served at /api/v1/openapi.json without signing in")
    func documentIsServed() async throws {
        try await APITestWorld.with { _, client in
            let response = try await client.call(.get, "/api/v1/openapi.json")
            #expect(response.status == .ok)
            #expect(response.body == OpenAPIDocument.data)
        }
    }

    /// Issue 7, point 13: an undeclared method on an existing address answered 404.
    @Test("every other method on a documented address answers 405 with the documented methods in Allow")
    func undeclaredMethodsAre405() async throws {
        let documented = try Self.documentedRoutes()
        var methodsByPath: [String: Set<String>] = [:]
        for route in documented {
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            methodsByPath[parts[1], default: []].insert(parts[0])
        }
        let addresses = methodsByPath.sorted(by: { $0.key < $1.key })
        try await APITestWorld.with { world, client in
            let token = world.a.tokens[.management]!
            for (path, methods) in addresses {
                let concrete = path.replacingOccurrences(of: "{org}", with: world.a.slug)
                    .replacingOccurrences(of: "{id}", with: UUID().uuidString).replacingOccurrences(of: "{version}", with: "1")
                    .replacingOccurrences(of: "{code}", with: "X-1")
                for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"] where !methods.contains(method) {
                    let response = try await client.call(HTTPRequest.Method(method)!, concrete, token: token)
                    #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status)")
                    let allowed = Set(
                        (response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(allowed == methods, "\(method) \(path): Allow \(allowed.sorted())")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }
}
