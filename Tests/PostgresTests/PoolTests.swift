import Foundation
import Postgres
import Synchronization
import Testing

@Suite("The Dispatch-backed pool")
struct PoolTests {
    @Test("200 concurrent tasks over a pool of 8 all succeed and never exceed 8 connections")
    func concurrentTasks() async throws {
        let pool = TestDatabase.pool(size: 8, timeout: .seconds(30))
        let peak = PeakCounter()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await pool.withConnection { connection in
                        peak.record(pool.statistics.open)
                        let rows = try await connection.query("SELECT \(index)::int AS n, pg_sleep(0.002)::text AS pause")
                        return try rows[0].decode("n", as: Int.self)
                    }
                }
            }
            var all: [Int] = []
            for try await value in group { all.append(value) }
            return all
        }
        #expect(results.sorted() == Array(0..<200))
        #expect(peak.value <= 8)
        #expect(pool.statistics.open <= 8)
        await pool.close()
    }

    @Test("a backend killed with pg_terminate_backend is replaced and later requests work")
    func terminatedBackendIsReplaced() async throws {
        let pool = TestDatabase.pool(size: 1)
        let firstPID = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
        // Kill the pooled (now idle) connection's backend from outside the pool.
        let killer = try await TestDatabase.connect()
        let killed = try await killer.query("SELECT pg_terminate_backend(\(Int32(firstPID))) AS done")[0].decode("done", as: Bool.self)
        #expect(killed)
        try await Task.sleep(for: .milliseconds(200))
        for attempt in 0..<3 {
            let pid = try await pool.query("SELECT pg_backend_pid() AS pid, \(attempt) AS n")[0].decode("pid", as: Int.self)
            #expect(pid != firstPID)
        }
        // Transactions recover too.
        let value = try await pool.withTransaction { try await $0.query("SELECT 7 AS n")[0].decode("n", as: Int.self) }
        #expect(value == 7)
        #expect(pool.statistics.open == 1)
        await killer.close()
        await pool.close()
    }

    @Test("a backend killed during a transaction fails that request but not the next one")
    func terminatedMidTransaction() async throws {
        let pool = TestDatabase.pool(size: 1)
        let killer = try await TestDatabase.connect()
        await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { connection in
                let pid = try await connection.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
                _ = try await killer.query("SELECT pg_terminate_backend(\(Int32(pid)))")
                try await Task.sleep(for: .milliseconds(100))
                try await connection.query("SELECT 1")
            }
        }
        #expect(try await pool.query("SELECT 1 AS one")[0].decode("one", as: Int.self) == 1)
        await killer.close()
        await pool.close()
    }

    @Test("when every connection stays busy, a waiter gets a clear pool-exhausted error after the timeout")
    func exhaustedPoolTimesOut() async throws {
        let pool = TestDatabase.pool(size: 1, timeout: .milliseconds(300))
        let holding = Task {
            try await pool.withConnection { connection in
                try await connection.query("SELECT pg_sleep(1.5)")
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        do {
            try await pool.query("SELECT 1")
            Issue.record("the second request should time out")
        } catch let error as PostgresError {
            #expect(error.kind == .poolExhausted)
            #expect(error.description.contains("pool"))
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(250))
        _ = try await holding.value
        // Once the connection is back, the pool serves again.
        #expect(try await pool.query("SELECT 2 AS two")[0].decode("two", as: Int.self) == 2)
        await pool.close()
    }

    @Test("a closed pool refuses work with a clear error")
    func closedPoolRefuses() async throws {
        let pool = TestDatabase.pool(size: 2)
        try await pool.query("SELECT 1")
        await pool.close()
        await #expect { try await pool.query("SELECT 1") } throws: { error in
            (error as? PostgresError)?.kind == .poolClosed
        }
    }

    @Test("a transaction left open by its user is not handed to the next user")
    func openTransactionIsDiscarded() async throws {
        let pool = TestDatabase.pool(size: 1)
        try await pool.withConnection { connection in
            try await connection.query("BEGIN")
            try await connection.query("SET LOCAL search_path = nowhere")
        }
        let path = try await pool.query("SELECT current_setting('search_path') AS path")[0].decode("path", as: String.self)
        #expect(path != "nowhere")
        await pool.close()
    }
}

/// The highest figure seen, shared by concurrent tasks.
final class PeakCounter: Sendable {
    private let peak = Mutex(0)
    var value: Int { peak.withLock { $0 } }
    func record(_ figure: Int) { peak.withLock { $0 = max($0, figure) } }
}
