import Foundation
import Postgres
import Testing

@Suite("SQL rendering and binding (no database)")
struct SQLRenderingTests {
    let quote: (String) -> String = { "[" + $0 + "]" }

    @Test("interpolated values become numbered parameters and never text")
    func valuesBecomeParameters() {
        let name = "Robert'); DROP TABLE students;--"
        let age = 42
        let sql: SQL = "SELECT * FROM people WHERE name = \(name) AND age > \(age)"
        #expect(sql.render(quoteIdentifier: quote) == "SELECT * FROM people WHERE name = $1 AND age > $2")
        #expect(sql.binds == [PostgresBind(text: name, type: .text), PostgresBind(text: "42", type: .int8)])
    }

    @Test("nil binds as SQL NULL")
    func nilIsNull() {
        let missing: String? = nil
        let sql: SQL = "INSERT INTO t (a) VALUES (\(missing))"
        #expect(sql.binds == [PostgresBind(text: nil, type: .unspecified)])
    }

    @Test("identifiers go through the quoting function and raw text is spliced only when named")
    func identifiersAndRaw() {
        let sql: SQL =
            "SELECT \(unsafeRaw: "count(*)") FROM \(identifier: "org_a").users WHERE id = \(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!)"
        #expect(sql.render(quoteIdentifier: quote) == "SELECT count(*) FROM [org_a].users WHERE id = $1")
        #expect(sql.binds.first?.type == .uuid)
    }

    @Test("nested statements keep their binds and are renumbered")
    func nestedStatementsRenumber() {
        let filter: SQL = "status = \("idea") AND level = \("organisation")"
        let sql: SQL = "SELECT 1 FROM goals WHERE owner = \(7) AND \(filter) LIMIT \(10)"
        #expect(sql.render(quoteIdentifier: quote) == "SELECT 1 FROM goals WHERE owner = $1 AND status = $2 AND level = $3 LIMIT $4")
        #expect(sql.binds.map(\.text) == ["7", "idea", "organisation", "10"])
        let joined = SQL.joined(["a = \(1)", "b = \(2)"], separator: ", ")
        #expect(joined.render(quoteIdentifier: quote) == "a = $1, b = $2")
    }

    @Test("the description shows placeholders, never values")
    func descriptionHasNoValues() {
        let sql: SQL = "SELECT \(identifier: "we\"ird") WHERE secret = \("hunter2")"
        #expect(sql.description == "SELECT \"we\"\"ird\" WHERE secret = $1")
        #expect(!sql.description.contains("hunter2"))
    }

    @Test("arrays bind in PostgreSQL's literal form with quoting")
    func arraysBind() {
        let values = ["plain", "with,comma", "with \"quote\"", "back\\slash", "NULL"]
        let bind = values.postgresBind
        #expect(bind.type == .textArray)
        #expect(bind.text == #"{"plain","with,comma","with \"quote\"","back\\slash","NULL"}"#)
    }

    @Test("calendar dates parse strictly and format as ISO 8601")
    func calendarDates() throws {
        #expect(CalendarDate(iso: "2027-03-31")?.description == "2027-03-31")
        #expect(CalendarDate(iso: "2028-02-29") != nil)
        #expect(CalendarDate(iso: "2027-02-29") == nil)
        #expect(CalendarDate(iso: "2027-3-31") == nil)
        #expect(CalendarDate(iso: "31.3.2027") == nil)
        let date = try #require(CalendarDate(iso: "1970-01-01"))
        #expect(date.daysSinceEpoch == 0)
        #expect(date.adding(days: 59).description == "1970-03-01")
    }
}
