import Foundation
import Postgres
import Testing

@Suite("Pipelines and preludes")
struct PipelineTests {
    @Test("a pipeline returns each statement's rows in order, in one round trip, as one implicit transaction")
    func resultsInOrder() async throws {
        let connection = try await TestDatabase.connect()
        let results = try await connection.pipeline([
            "SELECT set_config('application_name', 'pipelined', true) AS set",
            "SELECT current_setting('application_name') AS name, \(41) + 1 AS answer",
            "SELECT generate_series(1, 3) AS n",
        ])
        #expect(results.count == 3)
        // A transaction-local setting made by the first statement holds for the next ones…
        #expect(try results[1][0].decode("name", as: String.self) == "pipelined")
        #expect(try results[1][0].decode("answer", as: Int.self) == 42)
        #expect(try results[2].map { try $0.decode("n", as: Int.self) } == [1, 2, 3])
        // …and ends with the pipeline's implicit transaction.
        #expect(
            try await connection.query("SELECT current_setting('application_name') AS name")[0].decode("name", as: String.self)
                != "pipelined")
        await connection.close()
    }

    @Test("a failing statement in a pipeline throws its own error, rolls back the others and leaves the connection usable")
    func failureInTheMiddle() async throws {
        let connection = try await TestDatabase.connect()
        let table = TestDatabase.uniqueName("pipe")
        try await connection.query("CREATE TABLE \(identifier: table) (n int PRIMARY KEY)")
        await #expect(throws: PostgresError.self) {
            try await connection.pipeline([
                "INSERT INTO \(identifier: table) VALUES (1)",
                "INSERT INTO \(identifier: table) VALUES (1)",
                "INSERT INTO \(identifier: table) VALUES (2)",
            ])
        }
        do {
            _ = try await connection.pipeline(["SELECT 1", "SELECT 1/0", "SELECT 2"])
            Issue.record("division by zero should fail")
        } catch let error as PostgresError {
            #expect(error.sqlState == "22012")
        }
        #expect(try await connection.query("SELECT count(*) AS n FROM \(identifier: table)")[0].decode("n", as: Int.self) == 0)
        try await connection.query("DROP TABLE \(identifier: table)")
        await connection.close()
    }

    @Test("BEGIN travels with the first statement; a body that sends nothing costs no round trip")
    func transactionPrelude() async throws {
        let pool = TestDatabase.pool(size: 1)
        // One transaction: now() stands still across the body's round trips.
        let same = try await pool.withTransaction { connection in
            let first: String = try await connection.query("SELECT now()::text AS t")[0].decode("t")
            try await Task.sleep(for: .milliseconds(20))
            let second: String = try await connection.query("SELECT now()::text AS t")[0].decode("t")
            return first == second
        }
        #expect(same)
        let value = try await pool.withTransaction { _ in 5 }
        #expect(value == 5)
        // The connection went back idle: nothing was left open.
        #expect(try await pool.query("SELECT 1 AS one")[0].decode("one", as: Int.self) == 1)
        await pool.close()
    }

    @Test("a refused prelude stops the work before any of it runs, however the body handles errors")
    func refusedPrelude() async throws {
        let pool = TestDatabase.pool(size: 1)
        let table = TestDatabase.uniqueName("prelude")
        try await pool.query("CREATE TABLE \(identifier: table) (n int)")
        await #expect(throws: PostgresError.self) {
            try await pool.withTransaction(prelude: ["SELECT set_config('role', 'no_such_role_here', true)"]) { connection in
                _ = try? await connection.query("INSERT INTO \(identifier: table) VALUES (1)")  // swallowed on purpose
                try await connection.query("INSERT INTO \(identifier: table) VALUES (2)")
            }
        }
        #expect(try await pool.query("SELECT count(*) AS n FROM \(identifier: table)")[0].decode("n", as: Int.self) == 0)
        try await pool.query("DROP TABLE \(identifier: table)")
        await pool.close()
    }

    @Test("a prelude repeated on every round trip makes each one a transaction of its own")
    func repeatingPrelude() async throws {
        let pool = TestDatabase.pool(size: 1)
        let names = try await pool.withEveryRoundTrip(prelude: ["SELECT set_config('application_name', 'every', true)"]) { connection in
            [
                try await connection.query("SELECT current_setting('application_name') AS name")[0].decode("name", as: String.self),
                try await connection.pipeline(["SELECT 1", "SELECT current_setting('application_name') AS name"])[1][0].decode(
                    "name", as: String.self),
            ]
        }
        #expect(names == ["every", "every"])
        await pool.close()
    }

    @Test("work with the same affinity goes to the same free connection; a connection past its tenant bound is replaced")
    func affinityAndRecycling() async throws {
        let pool = TestDatabase.pool(size: 4)
        // Open all four first, so that each affinity has its connection.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await pool.query("SELECT pg_sleep(0.1)") } }
            try await group.waitForAll()
        }
        func backend(_ key: String, noting tenant: String? = nil) async throws -> Int {
            try await pool.withTransaction(affinity: key) { connection in
                if let tenant { connection.noteTenant(tenant, bound: 2) }
                return try await connection.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
            }
        }
        for key in ["org_a", "org_b", "org_c"] {
            let first = try await backend(key)
            for _ in 0..<5 { #expect(try await backend(key) == first) }
        }
        let before = try await backend("org_a", noting: "one")
        #expect(try await backend("org_a", noting: "two") == before)
        _ = try await backend("org_a", noting: "three")  // the third tenant: retired on return
        #expect(try await backend("org_a") != before)
        await pool.close()
    }
}
