import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

/// Issue 16: behind a proxy every client must still count as itself, and failures from one
/// address must slow guessing there without shutting out the people who sign in from it.
@Suite("Client addresses behind proxies, and a throttle no stranger can turn against everyone")
struct ClientAddressTests {
    @Test("addresses are parsed by inet_pton; IPv4-mapped IPv6 is IPv4; IPv6 counts per /64")
    func addresses() throws {
        #expect(IPAddress("192.0.2.7")?.description == "192.0.2.7")
        #expect(IPAddress(" ::ffff:192.0.2.7 ")?.description == "192.0.2.7")
        #expect(IPAddress("[2001:db8::1]")?.description == "2001:db8::1")
        #expect(IPAddress("fe80::1%eth0")?.description == "fe80::1")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "2001:db8:::1", "evil.example", "1.2.3.4\u{0}", "::ffff:999.1.1.1"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
        #expect(IPAddress("192.0.2.7")?.throttleKey == "192.0.2.7")
        // Every address of one /64 counts as the same client; another /64 does not.
        let key = IPAddress("2001:db8:1:2:aaaa::1")?.throttleKey
        #expect(key == "2001:db8:1:2::/64")
        #expect(IPAddress("2001:db8:1:2:ffff:ffff:ffff:ffff")?.throttleKey == key)
        #expect(IPAddress("2001:db8:1:3::1")?.throttleKey != key)
    }

    @Test("LUOTSI_TRUSTED_PROXIES: X-Forwarded-For is read only from them, from the right, skipping trusted hops")
    func forwardedFor() throws {
        let proxies = try TrustedProxies(parsing: "127.0.0.1, 10.0.0.0/8 ::1")
        #expect(proxies.ranges.count == 3)
        #expect(throws: LuotsiError.self) { try TrustedProxies(parsing: "10.0.0.0/33") }
        #expect(throws: LuotsiError.self) { try TrustedProxies(parsing: "proxy.example") }
        let loopback = IPAddress("127.0.0.1")
        // From a trusted proxy: the rightmost address it does not trust.
        #expect(proxies.client(peer: loopback, forwardedFor: ["198.51.100.9"])?.description == "198.51.100.9")
        #expect(proxies.client(peer: loopback, forwardedFor: ["203.0.113.1, 198.51.100.9, 10.1.2.3"])?.description == "198.51.100.9")
        #expect(proxies.client(peer: loopback, forwardedFor: ["203.0.113.1", "10.1.2.3"])?.description == "203.0.113.1")
        // Garbage written before the trusted hops ends the walk at the last trusted one.
        #expect(proxies.client(peer: loopback, forwardedFor: ["not-an-address, 10.1.2.3"])?.description == "10.1.2.3")
        #expect(proxies.client(peer: loopback, forwardedFor: [])?.description == "127.0.0.1")
        // From anyone else the header is the client's own word, and ignored.
        let stranger = IPAddress("192.0.2.50")
        #expect(proxies.client(peer: stranger, forwardedFor: ["198.51.100.9"]) == stranger)
        #expect(TrustedProxies.none.client(peer: loopback, forwardedFor: ["198.51.100.9"]) == loopback)
    }

    /// A live server (real sockets: the peer is 127.0.0.1) with `trusted` as its proxies.
    static func live(
        trusted: String, _ body: @escaping @Sendable (APITestWorld, any TestClientProtocol) async throws -> Void
    ) async throws {
        let world = try await APITestWorld.make()
        let app = Application(
            router: buildRouter(services: world.services, trustedProxies: try TrustedProxies(parsing: trusted)).router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        do {
            try await app.test(.live) { client in try await body(world, client) }
        } catch {
            try await TestSupport.tearDown(world.services)
            throw error
        }
        try await TestSupport.tearDown(world.services)
    }

    static func signIn(
        _ client: any TestClientProtocol, _ world: APITestWorld, _ role: Role?, password: String = APITestWorld.password,
        email: String? = nil,
        from address: String, headers: HTTPFields = [:]
    ) async throws -> APIResponse {
        var body: [String: Any] = ["password": password]
        body["email"] = email ?? role.map { "\($0.rawValue)@\(world.a.slug).example" } ?? "nobody@nowhere.example"
        body["organisation"] = world.a.slug
        var headers = headers
        headers[.forwardedFor] = address
        return try await client.call(.post, "/api/v1/auth/login", json: body, headers: headers)
    }

    @Test("behind a trusted proxy, 35 failures from one client shut out neither other clients nor its own known people")
    func proxyDoesNotPoolEveryone() async throws {
        try await Self.live(trusted: "127.0.0.1") { world, client in
            // Management signs in from the attacker's (shared) address before the failures.
            #expect(try await Self.signIn(client, world, .management, from: "203.0.113.7").status == .ok)
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<35 {
                statuses.append(
                    try await Self.signIn(
                        client, world, nil, password: "guess \(index)", email: "made-up-\(index)@x.example", from: "203.0.113.7"
                    )
                    .status)
            }
            #expect(statuses.contains(.tooManyRequests), "the address is slowed down: \(statuses)")
            // Another client behind the same proxy is not that address.
            #expect(try await Self.signIn(client, world, .staff, from: "198.51.100.9").status == .ok)
            // Someone who signed in from the slowed address before keeps a way in.
            #expect(try await Self.signIn(client, world, .management, from: "203.0.113.7").status == .ok)
            // Someone who never did waits: the address is slowed, not its known people.
            #expect(try await Self.signIn(client, world, .lead, from: "203.0.113.7").status == .tooManyRequests)
            // Guessing a colleague's password from elsewhere does not lock the colleague out.
            for _ in 0..<6 { _ = try await Self.signIn(client, world, .lead, password: "wrong wrong wrong", from: "203.0.113.8") }
            #expect(try await Self.signIn(client, world, .lead, from: "198.51.100.10").status == .ok)
            // An IPv6 client counts per /64: stepping through its addresses gains nothing.
            var v6: [HTTPResponse.Status] = []
            for index in 0..<33 {
                v6.append(
                    try await Self.signIn(
                        client, world, nil, password: "guess", email: "v6-\(index)@x.example", from: "2001:db8:5:6::\(index + 1)"
                    ).status)
            }
            #expect(v6.suffix(2).allSatisfy { $0 == .tooManyRequests }, "\(v6)")
        }
    }

    @Test("X-Forwarded-For from an untrusted peer is ignored: a spoofed header buys no fresh attempts")
    func untrustedHeaderIsIgnored() async throws {
        try await Self.live(trusted: "") { world, client in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<33 {
                statuses.append(
                    try await Self.signIn(
                        client, world, nil, password: "guess", email: "spoof-\(index)@x.example", from: "198.51.100.\(index)"
                    )
                    .status)
            }
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
        }
    }

    @Test("a browser that signed in before shows its device token and is counted on its own, not with the stranger")
    func deviceTokenKeepsAWayIn() async throws {
        let services = try await TestSupport.isolatedServices()
        let throttle = LoginThrottle(pool: services.pool, platform: services.migrator.platformSchema)
        do {
            let device = Encoding.randomToken()
            let here = LoginThrottle.Attempt(organisation: "x", email: "victim@x.fi", address: "192.0.2.1", device: device)
            try await throttle.succeeded(here, try await throttle.attempt(here), device: device)
            // A stranger at the same office address guesses the victim's password until that pair waits.
            for _ in 0..<LoginThrottle.pair.free {
                _ = try await throttle.wait(.init(organisation: "x", email: "victim@x.fi", address: "192.0.2.1"))
            }
            #expect(try await throttle.wait(.init(organisation: "x", email: "victim@x.fi", address: "192.0.2.1")) > 20)
            // The victim's browser, showing its device token, goes on.
            #expect(try await throttle.wait(here) == 0)
            // A token never given to this account vouches for nothing.
            let planted = LoginThrottle.Attempt(organisation: "x", email: "victim@x.fi", address: "192.0.2.1", device: "planted")
            #expect(try await throttle.wait(planted) > 20)
        } catch {
            try await TestSupport.tearDown(services)
            throw error
        }
        try await TestSupport.tearDown(services)
    }

    @Test("over HTTPS (said by a trusted proxy) the cookies are __Host- prefixed and only those are read")
    func hostPrefixedCookies() async throws {
        try await Self.live(trusted: "127.0.0.1") { world, client in
            let secure = try await Self.signIn(client, world, .staff, from: "198.51.100.20", headers: [.forwardedProto: "https"])
            #expect(secure.status == .ok)
            let cookies = secure.headers[values: .setCookie]
            #expect(cookies.contains { $0.hasPrefix("__Host-luotsi_session=") && $0.contains("; Secure") && $0.contains("Path=/") })
            #expect(cookies.contains { $0.hasPrefix("__Host-luotsi_device=") })
            let token = try #require(secure.string("token"))
            // A plain-named cookie (planted from a sibling subdomain, say) is not read over HTTPS.
            let planted = try await client.call(
                .get, "/api/v1/me", headers: [.cookie: "luotsi_session=\(token)", .forwardedProto: "https"])
            #expect(planted.status == .unauthorized)
            let real = try await client.call(
                .get, "/api/v1/me", headers: [.cookie: "__Host-luotsi_session=\(token)", .forwardedProto: "https"])
            #expect(real.status == .ok)
        }
    }
}
