import Foundation
import Testing

@testable import Postgres

@Suite("Prepared statements")
struct PreparedStatementTests {
    /// This connection's named statements, as the server lists them.
    static func preparedNames(_ connection: PostgresConnection) async throws -> [String] {
        // Unplannable for the cache (it starts with a comment), so it never lists itself.
        try await connection.query("/* list */ SELECT name FROM pg_prepared_statements ORDER BY name").map { try $0.decode("name") }
    }

    @Test("a statement is prepared when seen a second time, then run by name with each call's own values")
    func preparedOnSecondSight() async throws {
        let connection = try await TestDatabase.connect(preparedStatements: 10)
        #expect(try await connection.query("SELECT \(1) + 1 AS n")[0].decode("n", as: Int.self) == 2)
        #expect(try await Self.preparedNames(connection).isEmpty)
        #expect(try await connection.query("SELECT \(2) + 1 AS n")[0].decode("n", as: Int.self) == 3)
        #expect(try await connection.query("SELECT \(3) + 1 AS n")[0].decode("n", as: Int.self) == 4)
        #expect(try await Self.preparedNames(connection).count == 1)
        // In a pipeline too, and a NULL value goes through as NULL.
        let optional: Int? = nil
        let rows = try await connection.pipeline(["SELECT \(4) + 1 AS n", "SELECT \(optional)::int IS NULL AS null"])
        #expect(try rows[0][0].decode("n", as: Int.self) == 5)
        #expect(try rows[1][0].decode("null", as: Bool.self))
        // Statements that PostgreSQL does not plan are never prepared.
        for _ in 0..<3 { try await connection.query("SET application_name = 'prepared-test'") }
        #expect(try await Self.preparedNames(connection).count == 1)
        await connection.close()
    }

    @Test("a connection that prepares plans each statement once, generically; one that does not keeps PostgreSQL's default")
    func preparedStatementsUseGenericPlans() async throws {
        let preparing = try await TestDatabase.connect(preparedStatements: 10)
        let plain = try await TestDatabase.connect()
        #expect(try await preparing.query("SHOW plan_cache_mode")[0].decode(at: 0, as: String.self) == "force_generic_plan")
        #expect(try await plain.query("SHOW plan_cache_mode")[0].decode(at: 0, as: String.self) == "auto")
        // A statement with an optional filter: after many runs, still one generic plan and no custom ones.
        let status: String? = nil
        for _ in 0..<8 {
            try await preparing.query("SELECT count(*) AS n FROM pg_class WHERE (\(status)::text IS NULL OR relname = \(status))")
        }
        let plans = try await preparing.query(
            "/* plans */ SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%relname = $2%'")
        #expect(try plans.single()?.decode("custom_plans", as: Int.self) == 0)
        #expect(try plans.single()?.decode("generic_plans", as: Int.self) == 7)
        await preparing.close()
        await plain.close()
    }

    @Test("each tenant switch gets its own statement, so a cached plan never reads another schema's table")
    func contextsKeepTheirOwnStatements() async throws {
        let pool = TestDatabase.pool(size: 1, preparedStatements: 50)
        let schemas = [TestDatabase.uniqueName("ps_a"), TestDatabase.uniqueName("ps_b")]
        for (index, schema) in schemas.enumerated() {
            try await pool.query("CREATE SCHEMA \(identifier: schema)")
            try await pool.query("CREATE TABLE \(identifier: schema).t (v text)")
            try await pool.query("INSERT INTO \(identifier: schema).t VALUES (\(["a", "b"][index]))")
        }
        for round in 0..<6 {
            let index = round % 2
            let seen: [String] = try await pool.withEveryRoundTrip(prelude: ["SELECT set_config('search_path', \(schemas[index]), true)"]) {
                try await $0.pipeline(["SELECT v FROM t", "SELECT count(*) AS n FROM t"])[0].map { try $0.decode("v") }
            }
            #expect(seen == [["a", "b"][index]], "round \(round)")
            // The same in a transaction, whose later round trips carry no switch of their own.
            let inTransaction: String = try await pool.withTransaction(prelude: [
                "SELECT set_config('search_path', \(schemas[index]), true)"
            ]) {
                _ = try await $0.query("SELECT count(*) AS n FROM t")
                return try await $0.query("SELECT v FROM t")[0].decode("v")
            }
            #expect(inTransaction == ["a", "b"][index], "round \(round)")
        }
        let names = try await pool.withConnection { try await Self.preparedNames($0) }
        // `SELECT v FROM t` and the count, per schema, once for reads and once in transactions;
        // and the switch itself, which runs before any switch.
        #expect(names.count == 9)
        for schema in schemas { try await pool.query("DROP SCHEMA \(identifier: schema) CASCADE") }
        await pool.close()
    }

    @Test("past its capacity the least recently used statements are deallocated on the server")
    func boundedPerConnection() async throws {
        let connection = try await TestDatabase.connect(preparedStatements: 4)
        for number in 0..<20 {
            for _ in 0..<3 {
                let sql: SQL = "SELECT \(number) AS n, \(unsafeRaw: String(number)) AS m"
                #expect(try await connection.query(sql)[0].decode("n", as: Int.self) == number)
            }
        }
        let names = try await Self.preparedNames(connection)
        #expect(!names.isEmpty && names.count <= 4, "\(names)")
        // The most recent ones are the ones kept and still answer.
        #expect(try await connection.query("SELECT \(19) AS n, 19 AS m")[0].decode("n", as: Int.self) == 19)
        await connection.close()
    }

    @Test("a statement that fails to prepare is not remembered as prepared, in a pipeline or alone")
    func failedPrepareIsForgotten() async throws {
        let connection = try await TestDatabase.connect(preparedStatements: 10)
        let table = TestDatabase.uniqueName("ps_late")
        for _ in 0..<3 {
            await #expect(throws: PostgresError.self) { try await connection.query("SELECT n FROM \(identifier: table)") }
            await #expect(throws: PostgresError.self) {
                try await connection.pipeline(["SELECT 1 AS one", "SELECT n FROM \(identifier: table) WHERE n > \(0)", "SELECT 2 AS two"])
            }
        }
        // Once the table exists, the same texts run (prepared now) and are right.
        try await connection.query("CREATE TABLE \(identifier: table) (n int)")
        try await connection.query("INSERT INTO \(identifier: table) VALUES (7)")
        for _ in 0..<3 {
            #expect(try await connection.query("SELECT n FROM \(identifier: table)")[0].decode("n", as: Int.self) == 7)
            let rows = try await connection.pipeline([
                "SELECT 1 AS one", "SELECT n FROM \(identifier: table) WHERE n > \(0)", "SELECT 2 AS two",
            ])
            #expect(try rows[1][0].decode("n", as: Int.self) == 7)
        }
        try await connection.query("DROP TABLE \(identifier: table)")
        await connection.close()
    }

    @Test("when a migration changes the columns a cached plan returns, a read is sent again and a transaction fails once")
    func resultTypeChange() async throws {
        let connection = try await TestDatabase.connect(preparedStatements: 10)
        let other = try await TestDatabase.connect()
        let table = TestDatabase.uniqueName("ps_wide")
        try await other.query("CREATE TABLE \(identifier: table) (a int)")
        try await other.query("INSERT INTO \(identifier: table) VALUES (1)")
        for _ in 0..<3 { _ = try await connection.query("SELECT * FROM \(identifier: table)") }
        try await other.query("ALTER TABLE \(identifier: table) ADD COLUMN b int DEFAULT 2")
        // Outside a transaction: the round trip is sent again, unprepared, and sees both columns.
        let row = try await connection.query("SELECT * FROM \(identifier: table)")[0]
        #expect(try row.decode("b", as: Int.self) == 2)
        for _ in 0..<3 { _ = try await connection.query("SELECT * FROM \(identifier: table)") }
        try await other.query("ALTER TABLE \(identifier: table) ADD COLUMN c int DEFAULT 3")
        // Inside one, the transaction has failed and cannot be repeated here: the error goes to the caller…
        try await connection.query("BEGIN")
        await #expect(throws: PostgresError.self) { try await connection.query("SELECT * FROM \(identifier: table)") }
        try await connection.query("ROLLBACK")
        // …and the next try works.
        try await connection.query("BEGIN")
        #expect(try await connection.query("SELECT * FROM \(identifier: table)")[0].decode("c", as: Int.self) == 3)
        try await connection.query("COMMIT")
        try await other.query("DROP TABLE \(identifier: table)")
        await connection.close()
        await other.close()
    }

    @Test("when the server loses a statement (a transaction pooler in between), the connection stops preparing and carries on")
    func lostStatementStopsPreparing() async throws {
        let connection = try await TestDatabase.connect(preparedStatements: 10)
        for _ in 0..<3 { #expect(try await connection.query("SELECT \(5) * 2 AS n")[0].decode("n", as: Int.self) == 10) }
        #expect(try await Self.preparedNames(connection).count == 1)
        // What PgBouncer's transaction pooling does: the next transaction lands on a server
        // connection that never saw the statement. Outside a transaction, the round trip goes
        // again unprepared; from then on nothing is prepared.
        try await connection.execute(script: "DEALLOCATE ALL")
        for _ in 0..<3 { #expect(try await connection.query("SELECT \(6) * 2 AS n")[0].decode("n", as: Int.self) == 12) }
        #expect(try await Self.preparedNames(connection).isEmpty)
        await connection.close()

        // Inside a transaction the failure is the caller's: the transaction cannot be repeated.
        let inTransaction = try await TestDatabase.connect(preparedStatements: 10)
        for _ in 0..<2 { _ = try await inTransaction.query("SELECT \(5) * 2 AS n") }
        try await inTransaction.execute(script: "DEALLOCATE ALL")
        try await inTransaction.query("BEGIN")
        await #expect(throws: PostgresError.self) { try await inTransaction.query("SELECT \(5) * 2 AS n") }
        try await inTransaction.query("ROLLBACK")
        #expect(try await inTransaction.query("SELECT \(7) * 2 AS n")[0].decode("n", as: Int.self) == 14)
        await inTransaction.close()

        // A second connection prepares under other names, so it never runs the first one's.
        let first = try await TestDatabase.connect(preparedStatements: 10)
        let second = try await TestDatabase.connect(preparedStatements: 10)
        for _ in 0..<2 {
            _ = try await first.query("SELECT \(1) AS n")
            _ = try await second.query("SELECT \(1) AS n")
        }
        let names = try await Self.preparedNames(first) + Self.preparedNames(second)
        #expect(names.count == 2 && Set(names).count == 2)
        await first.close()
        await second.close()
    }

    @Test("the cache keeps at most its capacity prepared and forgets first sightings beyond twice that")
    func cacheBounds() {
        var cache = PreparedStatementCache(capacity: 8)
        func key(_ n: Int) -> PreparedStatementCache.Key { .init(context: "", text: "SELECT \(n)", types: []) }
        #expect(cache.use(key(1)) == .unnamed)
        guard case .prepare(let name) = cache.use(key(1)) else {
            Issue.record("second sight must prepare")
            return
        }
        #expect(cache.use(key(1)) == .execute(name))
        cache.failed(key(1))
        #expect(cache.use(key(1)) != .execute(name))
        for n in 2..<200 {
            _ = cache.use(key(n))
            _ = cache.use(key(n))
            #expect(cache.preparedCount <= 8)
        }
        #expect(cache.deallocations.count >= 190 - 8)
        #expect(cache.use(.init(context: "", text: "  BEGIN", types: [])) == .unnamed)
        #expect(PreparedStatementCache.isPlannable("\n  with x AS (SELECT 1) SELECT * FROM x"))
        #expect(!PreparedStatementCache.isPlannable("CREATE TABLE t (a int)"))
        var off = PreparedStatementCache(capacity: 0)
        #expect(off.use(key(1)) == .unnamed && off.use(key(1)) == .unnamed)
    }
}
