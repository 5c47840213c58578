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
}
