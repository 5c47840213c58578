import Foundation
import Postgres
import Testing

@Suite("Server errors and transactions")
struct ErrorAndTransactionTests {
    @Test("a unique violation keeps its SQLSTATE, constraint and detail, and its description shows no data")
    func uniqueViolation() async throws {
        let connection = try await TestDatabase.connect()
        let table = TestDatabase.uniqueName("uniq")
        try await connection.query("CREATE TEMP TABLE \(identifier: table) (email text CONSTRAINT \(identifier: table + "_email") UNIQUE)")
        try await connection.query("INSERT INTO \(identifier: table) VALUES (\("secret@example.fi"))")
        do {
            try await connection.query("INSERT INTO \(identifier: table) VALUES (\("secret@example.fi"))")
            Issue.record("the duplicate insert should fail")
        } catch let error as PostgresError {
            #expect(error.kind == .server)
            #expect(error.sqlState == "23505")
            #expect(error.isUniqueViolation)
            #expect(error.constraint == table + "_email")
            #expect(error.detail?.contains("already exists") == true)
            #expect(!error.description.contains("secret@example.fi"))
            #expect(!error.description.contains("INSERT"))
        }
        // The connection stays usable after a statement error.
        #expect(try await connection.query("SELECT 1 AS one")[0].decode("one", as: Int.self) == 1)
        await connection.close()
    }

    @Test("a syntax error reports SQLSTATE 42601")
    func syntaxError() async throws {
        let connection = try await TestDatabase.connect()
        await #expect { try await connection.query("SELEC 1") } throws: { error in
            (error as? PostgresError)?.sqlState == "42601"
        }
        await connection.close()
    }

    @Test("withTransaction rolls back when the body throws and commits when it returns")
    func rollbackOnThrow() async throws {
        struct Boom: Error {}
        let pool = TestDatabase.pool(size: 2)
        let table = TestDatabase.uniqueName("tx")
        try await pool.query("CREATE TABLE \(identifier: table) (n int)")
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { connection in
                try await connection.query("INSERT INTO \(identifier: table) VALUES (1)")
                throw Boom()
            }
        }
        try await pool.withTransaction { connection in
            try await connection.query("INSERT INTO \(identifier: table) VALUES (2)")
        }
        let rows = try await pool.query("SELECT n FROM \(identifier: table)")
        #expect(try rows.map { try $0.decode("n", as: Int.self) } == [2])
        try await pool.query("DROP TABLE \(identifier: table)")
        await pool.close()
    }

    @Test("identifiers are quoted by libpq, so a hostile name is just a name")
    func identifierQuoting() async throws {
        let connection = try await TestDatabase.connect()
        let hostile = "x\"; DROP TABLE y; --"
        #expect(try await connection.quoteIdentifier(hostile) == "\"x\"\"; DROP TABLE y; --\"")
        let rows = try await connection.query("SELECT 1 AS \(identifier: hostile)")
        #expect(rows.columns.names == [hostile])
        await connection.close()
    }

    @Test("a failed connection reports a connection error")
    func badConnection() async {
        await #expect {
            _ = try await PostgresConnection.connect(conninfo: "host=127.0.0.1 port=1 connect_timeout=2")
        } throws: { error in
            (error as? PostgresError)?.kind == .connection
        }
    }
}
