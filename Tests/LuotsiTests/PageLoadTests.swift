import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import Testing

@testable import Luotsi

/// Issue 17: at 64 connections the pages stopped answering ("pool exhausted") while the API did
/// not. The management home read the catalogue on a second connection while holding its
/// organisation's: with every connection held by such a request, each waited for a second one
/// that never came free. The pool now refuses a second connection to a task holding one
/// (`PostgresError.Kind.nestedAcquisition`), so a page that nests fails every page test at once;
/// this test loads the pages as they are loaded under load.
@Suite("Pages under concurrent load")
struct PageLoadTests {
    /// What the benchmark's page mix reads: each role's home, the goal list, one goal, the
    /// procurements, and the other pages a member reads.
    static func paths(goal: String, procurement: String) -> [(String, AccessRole)] {
        [
            ("/overview", .management), ("/next-actions", .lead), ("/my-work", .staff), ("/goals", .staff),
            ("/goals/\(goal)", .lead), ("/procurements", .management), ("/procurements/\(procurement)", .staff),
            ("/funnel", .management), ("/catalogue", .lead), ("/report", .management), ("/audit", .management),
            ("/goals/new", .staff), ("/profile", .lead), ("/platform/rollup", .platformAdmin),
        ]
    }

    @Test("64 concurrent page loads over a pool of 8 all answer 200")
    func concurrentPagesOverSmallPool() async throws {
        // A short wait for a connection: a nested acquisition that slipped past the guard would
        // show as 503s here within seconds rather than after the suites' generous two minutes.
        let pool = PostgresPool(
            configuration: .init(
                conninfo: TestSupport.poolerConninfo ?? TestSupport.conninfo, maxConnections: 8, acquireTimeout: .seconds(20),
                preparedStatements: TestSupport.poolerConninfo == nil ? 1000 : 0))
        try await WebWorld.with(pool: pool) { world, client in
            let goal = try await world.goalID("scheduled", client: client)
            let procurement = try await world.procurementID(client: client)
            // First the management home alone, as 64 managers opening it at once (what collapsed),
            // then every page a member reads.
            let home = Array(repeating: ("/overview", AccessRole.management), count: 64)
            let paths = Self.paths(goal: goal, procurement: procurement)
            let mix = (0..<64).map { paths[$0 % paths.count] }
            for loads in [home, mix] {
                let statuses = try await withThrowingTaskGroup(of: (String, HTTPResponse.Status).self) { group in
                    for (path, role) in loads {
                        let token = world.token(role)
                        group.addTask { (path, try await client.page(path, session: token).status) }
                    }
                    var statuses: [(String, HTTPResponse.Status)] = []
                    for try await answer in group { statuses.append(answer) }
                    return statuses
                }
                #expect(statuses.count == 64)
                let failed = statuses.filter { $0.1 != .ok }.map { "\($0.0): \($0.1.code)" }
                #expect(failed.isEmpty, "pages that did not answer 200: \(failed)")
            }
        }
    }

    @Test("the pool refuses a second connection to a task that holds one")
    func nestedAcquisitionIsRefused() async throws {
        let pool = TestSupport.directPool(size: 2)
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { _ in try await pool.query("SELECT 1") }
        }
        #expect(error?.kind == .nestedAcquisition)
        let inTransaction = await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { _ in try await pool.withTransaction { try await $0.query("SELECT 1") } }
        }
        #expect(inTransaction?.kind == .nestedAcquisition)
        // One after the other is fine, and so is another pool inside.
        try await pool.withConnection { _ in }
        let other = TestSupport.directPool(size: 1)
        try await pool.withConnection { _ in try await other.query("SELECT 1") }
        await other.close()
        await pool.close()
    }
}
