import Foundation
import Testing

@testable import Luotsi

@Suite("Response JSON")
struct ResponseJSONTests {
    struct Nested: Encodable {
        let text: String
        let when: Date
        let amount: Decimal?
        let ratio: Double
        let id: UUID
        let tags: [String]
        let extra: [String: Int]
        let empty: [Int]
        let child: Child?
    }

    struct Child: Encodable {
        let Upper: Int
        let lower: Bool
        let a_b: String?
        let ab: [[Double]]
    }

    /// Encodes through a superclass-style `superEncoder`, a nested container and a key set twice.
    struct Unusual: Encodable {
        enum Keys: String, CodingKey { case z, a, inner, list, again }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("first", forKey: .again)
            try container.encode("second", forKey: .again)
            var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .inner)
            try inner.encodeNil(forKey: .z)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(Int8(-3))
            try list.encode(UInt64.max)
            var sub = list.nestedContainer(keyedBy: Keys.self)
            try sub.encode(Float(1.5), forKey: .a)
            let superEncoder = container.superEncoder(forKey: .z)
            var single = superEncoder.singleValueContainer()
            try single.encode([1, 2])
            try container.encode(Optional<Int>.none, forKey: .a)
        }
    }

    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    static func expectSame<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let reference = String(decoding: try APICoding.encoder.encode(value), as: UTF8.self)
        let written = String(decoding: try ResponseJSON.encode(value), as: UTF8.self)
        #expect(written == reference, sourceLocation: sourceLocation)
    }

    @Test("writes exactly the bytes Foundation's JSONEncoder writes with the API's settings")
    func sameBytesAsFoundation() throws {
        let strings = [
            "", "plain", "quote \" and backslash \\", "slash / stays", "tab\tnew\nline\rret", "\u{08}\u{0C}\u{01}\u{1F}\u{7F}",
            "ääkköset ja Åland", "emoji 🧭 and 中文", "</script>",
        ]
        let doubles: [Double] = [0, -0.0, 1, -1, 0.1, 2.5, 100, 1e-7, 1.0e21, 123456789.123, 1.0 / 3, 9_007_199_254_740_993, 1e300]
        let decimals: [Decimal] = [0, 1, -2.5, Decimal(string: "0.000001")!, Decimal(string: "123456789012345.123456")!, 100]
        let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_790_000_000.123456)]
        for (index, text) in strings.enumerated() {
            let child = Child(Upper: index, lower: index % 2 == 0, a_b: index % 3 == 0 ? nil : text, ab: [doubles, [], [0.5]])
            try Self.expectSame(
                Nested(
                    text: text, when: dates[index % 2], amount: index % 4 == 0 ? nil : decimals[index % decimals.count],
                    ratio: doubles[index % doubles.count], id: UUID(), tags: strings, extra: ["b": 2, "B": 1, "a": 3, "aa": 4, "ä": 5],
                    empty: [], child: index % 5 == 0 ? nil : child))
        }
        for double in doubles { try Self.expectSame(["x": double]) }
        for decimal in decimals { try Self.expectSame([decimal]) }
        try Self.expectSame(Unusual())
        try Self.expectSame([Nothing()])
        try Self.expectSame([Int?.none, 1])
        #expect(throws: (any Error).self) { try ResponseJSON.encode([Double.nan]) }
    }
}
