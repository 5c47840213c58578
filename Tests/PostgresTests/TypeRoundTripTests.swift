import Foundation
import Postgres
import Testing

@Suite("Type round trips through a real PostgreSQL")
struct TypeRoundTripTests {
    @Test("every supported type survives a round trip, including NULL and non-ASCII text")
    func everyTypeRoundTrips() async throws {
        let connection = try await TestDatabase.connect()
        let table = TestDatabase.uniqueName("types")
        try await connection.query(
            """
            CREATE TEMP TABLE \(identifier: table) (
                t text, i8 bigint, i4 integer, b boolean, f float8, n numeric, u uuid, d date,
                ts timestamptz, j jsonb, ta text[], ua uuid[])
            """)
        let text = "Hyvää päivää — God dag, Åsa! 日本語 🚀 \"quoted\" 'single' \\back"
        let uuid = UUID()
        let decimal = try #require(Decimal(string: "12345678901234567890.123456789", locale: Locale(identifier: "en_US_POSIX")))
        let date = try #require(CalendarDate(iso: "2027-03-31"))
        let instant = Date(timeIntervalSince1970: 1_796_000_000.123456)
        let json = JSONB(text: #"{"name": "Hankinta", "tags": ["ä", "ö"], "n": 1}"#)
        let list = ["a", "with,comma", "with \"quote\"", "NULL", "", "ääkköset"]
        let uuids = [UUID(), UUID()]
        try await connection.query(
            """
            INSERT INTO \(identifier: table) VALUES (\(text), \(Int64.max), \(Int32.min), \(true), \(3.141592653589793),
                \(decimal), \(uuid), \(date), \(instant), \(json), \(list), \(uuids))
            """)
        let nothing: String? = nil
        try await connection.query(
            "INSERT INTO \(identifier: table) VALUES (\(nothing), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)")
        let rows = try await connection.query("SELECT * FROM \(identifier: table) ORDER BY t NULLS LAST")
        #expect(rows.count == 2)
        let row = rows[0]
        #expect(try row.decode("t", as: String.self) == text)
        #expect(try row.decode("i8", as: Int64.self) == Int64.max)
        #expect(try row.decode("i8", as: Int.self) == Int.max)
        #expect(try row.decode("i4", as: Int32.self) == Int32.min)
        #expect(try row.decode("b", as: Bool.self) == true)
        #expect(try row.decode("f", as: Double.self) == 3.141592653589793)
        #expect(try row.decode("n", as: Decimal.self) == decimal)
        #expect(try row.decode("u", as: UUID.self) == uuid)
        #expect(try row.decode("d", as: CalendarDate.self) == date)
        let decodedInstant = try row.decode("ts", as: Date.self)
        #expect(abs(decodedInstant.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
        let decodedJSON = try row.decode("j", as: JSONB.self)
        struct Doc: Decodable, Equatable { let name: String; let tags: [String]; let n: Int }
        #expect(try decodedJSON.decode(Doc.self) == Doc(name: "Hankinta", tags: ["ä", "ö"], n: 1))
        #expect(try row.decode("ta", as: [String].self) == list)
        #expect(try row.decode("ua", as: [UUID].self) == uuids)

        let empty = rows[1]
        for column in ["t", "i8", "i4", "b", "f", "n", "u", "d", "ts", "j", "ta", "ua"] {
            #expect(empty.values[empty.columns.names.firstIndex(of: column)!] == nil)
        }
        #expect(try empty.decode("t", as: String?.self) == nil)
        #expect(try empty.decode("u", as: UUID?.self) == nil)
        #expect(try empty.decode("ts", as: Date?.self) == nil)
        #expect(try empty.decode("ta", as: [String]?.self) == nil)
        await connection.close()
    }

    @Test("timestamps decode the same whatever the session's time zone")
    func timestampsAcrossZones() async throws {
        let connection = try await TestDatabase.connect()
        try await connection.query("SET TimeZone = 'Asia/Kolkata'")
        let rows = try await connection.query("SELECT '2026-11-29 12:00:00.5+00'::timestamptz AS at")
        let at = try rows[0].decode("at", as: Date.self)
        #expect(at.timeIntervalSince1970 == 1_795_953_600.5)
        await connection.close()
    }

    @Test("a wrong type or an unexpected NULL is a thrown decoding error, not a crash")
    func wrongTypesThrow() async throws {
        let connection = try await TestDatabase.connect()
        let rows = try await connection.query("SELECT 1::int AS number, 'x'::text AS word, NULL::text AS nothing")
        let row = rows[0]
        #expect(throws: PostgresError.self) { try row.decode("number", as: UUID.self) }
        #expect(throws: PostgresError.self) { try row.decode("word", as: Int.self) }
        #expect(throws: PostgresError.self) { try row.decode("nothing", as: String.self) }
        #expect(throws: PostgresError.self) { try row.decode("missing", as: String.self) }
        do {
            _ = try row.decode("word", as: Bool.self)
            Issue.record("decoding text as Bool should throw")
        } catch let error as PostgresError {
            #expect(error.kind == .decoding)
            #expect(error.message.contains("word"))
        }
        await connection.close()
    }

    @Test("values are read by position out of one buffer per result: integers at their limits, empty text, NULL between values")
    func valuesByPosition() async throws {
        let connection = try await TestDatabase.connect()
        let rows = try await connection.query(
            """
            SELECT i, (-32768)::int2 AS small, (-2147483648)::int4 AS low, 9223372036854775807::int8 AS high,
                   (-9223372036854775808)::int8 AS lowest, '' AS empty,
                   CASE WHEN i % 2 = 0 THEN NULL ELSE 'rivi ' || i END AS odd, i % 3 = 0 AS third
            FROM generate_series(1, 1000) AS i ORDER BY i
            """)
        #expect(rows.count == 1000 && rows.columns.names.count == 8)
        for (index, row) in rows.enumerated() {
            let number = index + 1
            #expect(try row.decode(at: 0, as: Int.self) == number)
            #expect(try row.decode("small", as: Int32.self) == -32768)
            #expect(try row.decode("low", as: Int32.self) == Int32.min)
            #expect(try row.decode("high", as: Int.self) == Int.max)
            #expect(try row.decode("lowest", as: Int64.self) == Int64.min)
            #expect(try row.decode("empty", as: String.self) == "")
            #expect(try row.decode("odd", as: String?.self) == (number % 2 == 0 ? nil : "rivi \(number)"))
            #expect(try row.decode("third", as: Bool.self) == (number % 3 == 0))
        }
        #expect(rows[999].values == ["1000", "-32768", "-2147483648", "9223372036854775807", "-9223372036854775808", "", nil, "f"])
        // An int8 beyond what Int32 holds is refused, not wrapped; nothing to read is no row.
        #expect(throws: PostgresError.self) { try rows[0].decode("high", as: Int32.self) }
        #expect(try await connection.query("SELECT 1 AS one WHERE false").isEmpty)
        await connection.close()
    }

    @Test("UUIDs and dates parse and print by hand exactly as Foundation and ISO 8601 have them")
    func handWrittenText() throws {
        for _ in 0..<500 {
            let uuid = UUID()
            #expect(UUIDText.format(uuid) == uuid.uuidString)
            #expect(UUIDText.parse(uuid.uuidString.lowercased()) == uuid)
            #expect(UUIDText.parse(uuid.uuidString) == uuid)
        }
        for bad in [
            "", "0", "6ba7b810-9dad-11d1-80b4-00c04fd430c", "6ba7b810-9dad-11d1-80b4-00c04fd430cg", "6ba7b8109dad-11d1-80b4-00c04fd430c8a",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8 ", "6ba7b810+9dad-11d1-80b4-00c04fd430c8",
        ] {
            #expect(UUIDText.parse(bad) == nil, "\(bad)")
        }
        #expect(CalendarDate(iso: "2024-02-29") == CalendarDate(year: 2024, month: 2, day: 29))
        for bad in ["2027-02-29", "2027-3-31", "2027-03-31 ", "+027-03-31", "２０２７-03-31", "2027/03/31", "0000-01-01", "2027-13-01", ""] {
            #expect(CalendarDate(iso: bad) == nil, "\(bad)")
        }
    }
}
