import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import Synchronization
import Testing

@testable import Luotsi

@Suite("Read models cached per instance, current on every instance")
struct ReadModelCacheTests {
    static func version(_ services: AppServices, _ organisation: Organisation) async throws -> Int64 {
        try await services.pool.query("SELECT version FROM \(schema: organisation.schema).data_version").one().decode("version")
    }

    @Test("every organisation table raises the data version, once per writing transaction, whoever writes")
    func everyTableRaisesTheVersion() async throws {
        try await APITestWorld.with { world, _ in
            let organisation = world.a.organisation
            let services = world.services
            // Every table but the version's own carries the trigger, tables added later included.
            let missing = try await services.pool.query(
                """
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(organisation.schema.rawValue) AND c.relkind IN ('r', 'p') AND c.relname <> 'data_version'
                  AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'data_version_bump')
                """
            ).map { try $0.decode("relname", as: String.self) }
            #expect(missing == [])

            // A writer outside the application (a script's transaction, two statements, several
            // rows): the deferred trigger raises it once, at commit.
            let scriptBefore = try await Self.version(services, organisation)
            try await services.pool.withTransaction { connection in
                _ = try await TenantDatabase.enter(organisation.schema, on: connection)
                try await connection.query("UPDATE users SET name = name || '' ")
                try await connection.query("UPDATE settings SET checkin_due_days = checkin_due_days")
            }
            #expect(try await Self.version(services, organisation) == scriptBefore + 1)

            // The application's own write: raised once, and the new version comes back.
            let manager = try await TestSupport.member(services, organisation, role: .management)
            let before = try await Self.version(services, organisation)
            let written = WrittenVersion()
            try await DataVersionToken.$written.withValue(written) {
                _ = try await services.inOrganisation(manager) { connection in
                    try await connection.query("UPDATE users SET name = name || '' ")
                    try await connection.query("UPDATE users SET name = name || '' ")
                }
            }
            #expect(try await Self.version(services, organisation) == before + 1)
            #expect(written.value == DataVersionToken(schema: organisation.schema, version: before + 1))

            // A transaction that only reads raises nothing and reports nothing.
            let quiet = WrittenVersion()
            try await DataVersionToken.$written.withValue(quiet) {
                _ = try await services.inOrganisation(manager) { try await $0.query("SELECT count(*) FROM goals") }
            }
            #expect(try await Self.version(services, organisation) == before + 1)
            #expect(quiet.value == nil)
        }
    }

    @Test("a repeated read is served from the cache until a write anywhere in the organisation")
    func servedUntilAWrite() async throws {
        try await APITestWorld.with(listening: true) { world, client in
            let token = world.a.tokens[.lead]!
            let goals = "/api/v1/orgs/\(world.a.slug)/goals"
            let created = try await client.call(.post, goals, token: token, json: ["title": "Kiertotalous", "level": "organisation"])
            #expect(created.status == .created)
            #expect(created.headers[ReadYourWritesMiddleware.headerName]?.hasPrefix(world.a.organisation.schema.rawValue + ".") == true)

            let key = ReadModelCache.Key(
                schema: world.a.organisation.schema, role: nil,
                read: GoalRepository.listKey(status: nil, level: nil, procurementID: nil, page: PageRequest()))
            let cache = world.services.tenants.readCache
            func isKept() -> Bool { if case .hit = cache.lookup(key, as: GoalListRead.self, floor: nil) { true } else { false } }
            // Read, then the other organisation writes: A's entry stays. (Tests running alongside
            // publish catalogue versions, which rightly drop every entry: then the round is repeated.)
            var keptAcross = false
            for _ in 0..<10 where !keptAcross {
                #expect(try await client.call(.get, goals, token: token).items.count == 1)
                guard isKept() else { continue }
                let other = try await client.call(
                    .post, "/api/v1/orgs/\(world.b.slug)/goals", token: world.b.tokens[.lead]!,
                    json: ["title": "B", "level": "organisation"])
                #expect(other.status == .created)
                keptAcross = isKept()
            }
            #expect(keptAcross, "the goal list was not kept after a read, or another organisation's write dropped it")
            // A's own write drops it.
            let second = try await client.call(.post, goals, token: token, json: ["title": "Hiilineutraali", "level": "organisation"])
            #expect(second.status == .created)
            #expect(!isKept(), "the write did not drop the goal list")
            #expect(try await client.call(.get, goals, token: token).items.count == 2)
        }
    }

    @Test("a write on instance A is read on instance B at once, every time, with the version the write answered")
    func readYourWritesAcrossInstances() async throws {
        try await APITestWorld.with(listening: true) { world, clientA in
            let (other, listener) = try await SessionCacheTests.secondInstance(of: world)
            defer { listener.stop() }
            let token = world.a.tokens[.lead]!
            let goals = "/api/v1/orgs/\(world.a.slug)/goals"
            let created = try await clientA.call(.post, goals, token: token, json: ["title": "Round 0", "level": "organisation"])
            let goal = "\(goals)/\(created.id)"
            let staleWithoutToken = Atomic(0)
            try await Application(router: buildRouter(services: other).router).test(.router) { clientB in
                for round in 1...40 {
                    // B reads first, so that it holds the goal in its cache when A writes.
                    let before = try await clientB.call(.get, goal, token: token)
                    #expect(before.status == .ok)
                    let etag = before.headers[.eTag] ?? ""
                    let write = try await clientA.call(
                        .patch, goal, token: token, json: ["title": "Round \(round)"], headers: [.ifMatch: etag])
                    #expect(write.status == .ok)
                    let seen = try #require(write.headers[ReadYourWritesMiddleware.headerName])
                    // Without the token B may still be a notification behind; count it, never fail on it.
                    if try await clientB.call(.get, goal, token: token).string("title") != "Round \(round)" {
                        staleWithoutToken.add(1, ordering: .relaxed)
                    }
                    let after = try await clientB.call(.get, goal, token: token, headers: [ReadYourWritesMiddleware.headerName: seen])
                    #expect(after.string("title") == "Round \(round)")
                    // The browser's way: the cookie.
                    let page = try await clientB.call(
                        .get, goal, token: token, headers: [.cookie: "\(ReadYourWritesMiddleware.cookieName)=\(seen)"])
                    #expect(page.string("title") == "Round \(round)")
                }
            }
            // Once the notification is in, B serves the write from its cache without any token.
            try await other.sessions.awaitNotificationsApplied()
            let cacheB = other.tenants.readCache
            #expect(cacheB.isServing)
            try await Application(router: buildRouter(services: other).router).test(.router) { clientB in
                let title = try await clientB.call(.get, goal, token: token).string("title")
                #expect(title == "Round 40")
            }
            print(
                "read-your-writes: 40 rounds; B still a notification behind without the token in \(staleWithoutToken.load(ordering: .relaxed))"
            )
            await other.pool.close()
        }
    }

    @Test("the cache keeps within its capacity, least recently used out first, and refuses what was stale on arrival")
    func boundedAndNeverStale() async throws {
        let cache = ReadModelCache(capacityBytes: 64 << 10)
        let schema = try #require(SchemaName("org_test_cache"))
        func key(_ n: Int) -> ReadModelCache.Key { .init(schema: schema, role: nil, read: "model|\(n)") }
        func ticket(_ n: Int) -> ReadModelCache.Ticket? {
            if case .miss(let ticket) = cache.lookup(key(n), as: [String].self, floor: nil) { return ticket }
            return nil
        }
        // Off until the listener is there: nothing is kept.
        #expect(ticket(0) == nil)
        cache.listeningStarted()
        let model = (0..<20).map { "a line of text of some length, number \($0)" }
        for n in 0..<400 {
            let t = try #require(ticket(n))
            cache.store(model, at: 7, for: key(n), ticket: t)
            _ = cache.lookup(key(0), as: [String].self, floor: nil)  // 0 stays in use
        }
        #expect(cache.figures.bytes <= 64 << 10)
        #expect(cache.figures.entries < 400)
        guard case .hit = cache.lookup(key(0), as: [String].self, floor: nil) else {
            Issue.record("the most used entry was evicted")
            return
        }
        guard case .miss = cache.lookup(key(1), as: [String].self, floor: nil) else {
            Issue.record("the least recently used entry stayed")
            return
        }
        // A client that saw version 8 is not served version 7.
        guard case .miss = cache.lookup(key(0), as: [String].self, floor: 8) else {
            Issue.record("served an entry older than the client's token")
            return
        }
        // Version 8 announced: 7 goes, and a read still at 7 arriving late is not kept.
        let late = try #require(ticket(5))
        cache.receive("\(schema.rawValue):8")
        guard case .miss = cache.lookup(key(0), as: [String].self, floor: nil) else {
            Issue.record("an entry outlived a newer version")
            return
        }
        cache.store(model, at: 7, for: key(5), ticket: late)
        guard case .miss = cache.lookup(key(5), as: [String].self, floor: nil) else {
            Issue.record("a read stale on arrival was kept")
            return
        }
        // A read that outlived a reconnect is not kept either.
        let before = try #require(ticket(6))
        cache.listeningStarted()
        cache.store(model, at: 9, for: key(6), ticket: before)
        guard case .miss = cache.lookup(key(6), as: [String].self, floor: nil) else {
            Issue.record("a read from before a reconnect was kept")
            return
        }
        // The listener gone: nothing is served.
        cache.store(model, at: 9, for: key(6), ticket: try #require(ticket(6)))
        cache.listeningStopped()
        #expect(ticket(6) == nil)
        // Junk in a token or a notification is ignored.
        #expect(DataVersionToken("org_x.-1") == nil)
        #expect(DataVersionToken("pg_x.5") == nil)
        #expect(DataVersionToken("Org_x.5") == nil)
        #expect(DataVersionToken("org_x.5") == DataVersionToken(schema: try #require(SchemaName("org_x")), version: 5))
        cache.receive("nonsense")
        cache.receive("org_x:notanumber")
    }
}
