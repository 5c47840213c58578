import Foundation
import Postgres
import Testing

@testable import Luotsi

@Suite("Sessions cached per instance, ended on every instance")
struct SessionCacheTests {
    /// A second instance over the same database and platform schema, listening as `serve` does.
    static func secondInstance(of world: APITestWorld) async throws -> (AppServices, PostgresListener) {
        let services = try AppServices(
            pool: TestSupport.pool(), sqlDirectory: TestSupport.sqlDirectory, platformSchema: world.services.migrator.platformSchema)
        let listener = services.listener(conninfo: TestSupport.conninfo)
        listener.start()
        let deadline = ContinuousClock.now + .seconds(30)
        while !listener.isListening, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try #require(listener.isListening)
        return (services, listener)
    }

    /// Waits until `token` no longer resolves on `services`; returns how long that took.
    static func timeUntilRefused(_ token: String, on services: AppServices) async throws -> Duration {
        let started = ContinuousClock.now
        while try await services.sessions.resolve(token) != nil {
            if ContinuousClock.now - started > .seconds(5) { break }
            try await Task.sleep(for: .milliseconds(1))
        }
        return ContinuousClock.now - started
    }

    @Test("sign-out, suspension and a role change on one instance end the session on another within 1 s")
    func endsEverywhere() async throws {
        try await APITestWorld.with { world, _ in
            let (other, listener) = try await Self.secondInstance(of: world)
            defer { listener.stop() }
            let tokens = [world.a.tokens[.staff]!, world.b.tokens[.lead]!, world.a.tokens[.lead]!]
            for token in tokens {
                #expect(try await other.sessions.resolve(token) != nil)  // read once: now cached there
                #expect(try await other.sessions.resolve(token) != nil)
            }

            try await world.services.sessions.revoke(tokens[0])
            let signOut = try await Self.timeUntilRefused(tokens[0], on: other)

            try await world.services.setOrganisationStatus(slug: world.b.slug, .suspended)
            let suspension = try await Self.timeUntilRefused(tokens[1], on: other)

            let lead = world.a.users[.lead]!
            let manager = try await TestSupport.member(world.services, world.a.organisation, role: .management)
            _ = try await world.services.inOrganisation(manager) { connection in
                try await world.services.organisationUsers.update(
                    lead.id, UserPatchInput(role: "staff", active: nil), by: manager, on: connection)
            }
            try await world.services.sessions.revokeAll(organisationID: world.a.organisation.id, userID: lead.id)
            let roleChange = try await Self.timeUntilRefused(tokens[2], on: other)

            for delay in [signOut, suspension, roleChange] { #expect(delay < .seconds(1)) }
            // The instance that made each change refuses at once.
            for token in tokens { #expect(try await world.services.sessions.resolve(token) == nil) }
            await other.pool.close()
        }
    }

    @Test("a cached session costs no database round trip; another instance's change still reaches it")
    func hitsCostNothing() async throws {
        try await APITestWorld.with { world, _ in
            let token = world.a.tokens[.staff]!
            let pool = TestSupport.pool(size: 1)
            let store = SessionStore(
                pool: pool, platform: world.services.migrator.platformSchema, tenants: TenantDatabase(pool: pool), lifetime: .seconds(3600))
            #expect(try await store.resolve(token)?.userID == world.a.users[.staff]!.id)
            // With its database gone, the instance still knows the session: no round trip.
            await pool.close()
            for _ in 0..<50 { #expect(try await store.resolve(token)?.userID == world.a.users[.staff]!.id) }
            #expect(store.cache.count == 1)
            // Another session is not known, and its look-up does need the database.
            await #expect(throws: PostgresError.self) { try await store.resolve(world.a.tokens[.lead]!) }
            try await world.services.sessions.revoke(token)
            // The entry is dropped by a notification it receives, as from another instance.
            store.invalidate(SessionCache.target(of: "session:" + SessionStore.hash(token)))
            #expect(store.cache.get(SessionStore.hash(token)) == nil)
            #expect(SessionCache.target(of: "user:not-a-uuid") == .everything)
        }
    }

    @Test("a read as the organisation cannot write")
    func readsAreReadOnly() async throws {
        try await APITestWorld.with { world, _ in
            do {
                try await world.services.tenants.read(world.a.organisation.schema) { connection in
                    try await connection.query("UPDATE settings SET checkin_due_days = 7")
                }
                Issue.record("a write inside a read should fail")
            } catch let error as PostgresError {
                #expect(error.sqlState == "25006")
            }
        }
    }
}
