import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

/// Two organisations (A and B) with one user per role each, a platform admin, and the
/// national catalogue, over a platform schema of the test's own. Sessions are started directly
/// (bcrypt runs only in the sign-in tests, where it is the subject).
struct APITestWorld: Sendable {
    struct Org: Sendable {
        let organisation: Organisation
        let users: [Role: User]
        let tokens: [Role: String]
        var slug: String { organisation.slug }
    }

    let services: AppServices
    let a: Org
    let b: Org
    let adminToken: String
    let adminEmail = "admin@platform.example"
    static let password = "correct horse battery staple"
    /// One bcrypt hash shared by the test users (made once: bcrypt is slow by design).
    static let passwordHash: String = Bcrypt.hash(password, cost: PasswordHasher.cost)

    /// Runs `body` with a fresh world and removes it afterwards, also when the body throws.
    /// `listening`: run the instance's notification listener, as `serve` does, for tests of
    /// changes made outside this instance.
    static func with(
        organisationCheck: Bool = true, listening: Bool = false, pool: PostgresPool? = nil,
        _ body: @escaping @Sendable (APITestWorld, any TestClientProtocol) async throws -> Void
    ) async throws {
        let world = try await make(organisationCheck: organisationCheck, pool: pool)
        let listener = listening ? world.services.listener(conninfo: TestSupport.conninfo) : nil
        listener?.start()
        defer { listener?.stop() }
        let app = Application(router: buildRouter(services: world.services).router)
        do {
            if let listener {
                let deadline = ContinuousClock.now + .seconds(30)
                while !listener.isListening, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                #expect(listener.isListening)
            }
            try await app.test(.router) { client in try await body(world, client) }
        } catch {
            try await TestSupport.tearDown(world.services)
            throw error
        }
        try await TestSupport.tearDown(world.services)
    }

    static func make(organisationCheck: Bool = true, pool: PostgresPool? = nil) async throws -> APITestWorld {
        let services = try await TestSupport.isolatedServices(pool: pool, organisationCheck: organisationCheck)
        let suffix = TestSupport.uniqueSuffix()
        let a = try await org(services, slug: "a-\(suffix)", name: "Alpha kaupunki")
        let b = try await org(services, slug: "b-\(suffix)", name: "Beta kommun")
        let platform = services.migrator.platformSchema.rawValue
        let adminID: UUID = try await services.pool.query(
            "INSERT INTO \(identifier: platform).platform_admins (email, name, password_hash) VALUES ('admin@platform.example', 'Pia Platform', \(passwordHash)) RETURNING id"
        )[0].decode("id")
        let adminToken = try await services.sessions.start(organisationID: nil, userID: adminID)
        return APITestWorld(services: services, a: a, b: b, adminToken: adminToken)
    }

    static func org(_ services: AppServices, slug: String, name: String) async throws -> Org {
        let organisation = try await services.organisations.create(slug: slug, name: name, management: nil)
        var users: [Role: User] = [:]
        var tokens: [Role: String] = [:]
        for role in Role.allCases {
            let user = try await services.tenants.withTenant(organisation.schema) { connection in
                try await UserRepository.insert(
                    NewUser(email: "\(role.rawValue)@\(slug).example", name: "\(role.rawValue.capitalized) Äyräpää", password: password),
                    role: role,
                    passwordHash: passwordHash, on: connection)
            }
            users[role] = user
            tokens[role] = try await services.sessions.start(organisationID: organisation.id, userID: user.id)
        }
        return Org(organisation: organisation, users: users, tokens: tokens)
    }
}

/// A decoded API answer.
struct APIResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }
    var text: String { String(decoding: body, as: UTF8.self) }
    func string(_ key: String) -> String? { json[key] as? String }
    var id: String { string("id") ?? "" }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and JSON body.
    func call(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: Any? = nil, raw: String? = nil, headers: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            headers[.contentType] = "application/json"
        } else if let raw {
            body = ByteBuffer(string: raw)
            headers[.contentType] = "application/json"
        }
        return try await execute(uri: path, method: method, headers: headers, body: body) { response in
            APIResponse(status: response.status, headers: response.headers, body: Data(buffer: response.body))
        }
    }
}
