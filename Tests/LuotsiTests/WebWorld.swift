import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

/// The API test world with organisation A filled with the demo content, for page tests: every
/// page then has goals in each funnel state, procurements, tasks and check-ins to show.
struct WebWorld: Sendable {
    let api: APITestWorld

    var slug: String { api.a.slug }

    static func with(
        pool: PostgresPool? = nil, _ body: @escaping @Sendable (WebWorld, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await APITestWorld.with(pool: pool) { world, client in
            let a = world.a
            try await DemoContent(
                services: world.services, organisation: a.organisation, management: a.users[.management]!, lead: a.users[.lead]!,
                staff: a.users[.staff]!
            ).seed()
            try await body(WebWorld(api: world), client)
        }
    }

    /// The session token of a role in organisation A, or of the platform admin.
    func token(_ role: AccessRole) -> String {
        switch role {
        case .platformAdmin: api.adminToken
        case .management: api.a.tokens[.management]!
        case .lead: api.a.tokens[.lead]!
        case .staff: api.a.tokens[.staff]!
        }
    }

    /// The id of the first goal of A in `status` (and `level`), read through the API.
    func goalID(_ status: String, level: String? = nil, client: some TestClientProtocol) async throws -> String {
        let query = "status=\(status)" + (level.map { "&level=\($0)" } ?? "")
        let list = try await client.call(.get, "/api/v1/orgs/\(slug)/goals?\(query)&limit=200", token: token(.management))
        return try #require(list.items.first?["id"] as? String, "no \(status) goal in the demo")
    }

    func taskID(client: some TestClientProtocol) async throws -> String {
        let list = try await client.call(.get, "/api/v1/orgs/\(slug)/tasks", token: token(.management))
        return try #require(list.items.first?["id"] as? String, "no task in the demo")
    }

    func procurementID(client: some TestClientProtocol) async throws -> String {
        let list = try await client.call(.get, "/api/v1/orgs/\(slug)/procurements", token: token(.management))
        return try #require(list.items.first?["id"] as? String)
    }
}

/// A page as the browser gets it.
struct PageResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let html: String

    /// The value of `<body data-page>`: which template rendered.
    var template: String? { html.firstMatch(of: /<body data-page="([a-z-]+)">/).map { String($0.1) } }
    var lang: String? { html.firstMatch(of: /<html lang="([a-z]+)">/).map { String($0.1) } }
    var csrf: String? { html.firstMatch(of: /name="csrf" value="([^"]*)"/).map { String($0.1) } }
    var location: String? { headers[.location] }
}

extension TestClientProtocol {
    /// A page request carrying the session cookie, as a browser sends it.
    func page(
        _ path: String, method: HTTPRequest.Method = .get, session: String? = nil, form: [(String, String)]? = nil,
        headers: HTTPFields = [:]
    ) async throws -> PageResponse {
        var headers = headers
        if let session { headers.append(HTTPField(name: .cookie, value: "\(AuthMiddleware.cookieName)=\(session)")) }
        var body: ByteBuffer?
        if let form {
            var components = URLComponents()
            components.queryItems = form.map { URLQueryItem(name: $0.0, value: $0.1) }
            body = ByteBuffer(string: components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? "")
            headers[.contentType] = "application/x-www-form-urlencoded"
        }
        return try await execute(uri: path, method: method, headers: headers, body: body) { response in
            PageResponse(status: response.status, headers: response.headers, html: String(buffer: response.body))
        }
    }
}
