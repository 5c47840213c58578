import Foundation

/// A Swift type that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Decodes `text` of a column of `type`; throws when the type does not fit.
    static func decode(postgresText text: String, type: PostgresDataType) throws -> Self
    /// The same from the value's UTF-8 bytes as the result holds them: what rows decode with.
    /// Numbers, UUIDs and dates are parsed from the bytes without making a `String` first.
    static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> Self
}

extension PostgresDecodable {
    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> Self {
        try decode(postgresText: String(decoding: bytes, as: UTF8.self), type: type)
    }

    static func mismatch(_ type: PostgresDataType) -> PostgresError {
        PostgresError(
            kind: .decoding, message: "cannot decode a \(type) column as \(Self.self)")
    }

    static func malformed(_ type: PostgresDataType) -> PostgresError {
        PostgresError(kind: .decoding, message: "malformed \(type) value for \(Self.self)")
    }
}

extension String: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> String {
        guard type.isText else { throw mismatch(type) }
        return text
    }

    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> String {
        guard type.isText else { throw mismatch(type) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A decimal integer (`-` allowed), as PostgreSQL writes int2/int4/int8; `nil` on anything else
/// or on overflow.
func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var index = 0
    let negative = bytes.first == UInt8(ascii: "-")
    if negative || bytes.first == UInt8(ascii: "+") { index = 1 }
    guard index < bytes.count else { return nil }
    var value = 0
    while index < bytes.count {
        let digit = Int(bytes[index]) - 48
        guard (0...9).contains(digit) else { return nil }
        let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
        let (next, overflowAdd) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
        guard !overflowTimes, !overflowAdd else { return nil }
        value = next
        index += 1
    }
    return value
}

extension Int: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Int {
        var text = text
        return try text.withUTF8 { try decode(postgresBytes: $0, type: type) }
    }

    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> Int {
        switch type {
        case .int2, .int4, .int8, .oid: break
        default: throw mismatch(type)
        }
        guard let value = parseInteger(bytes) else { throw malformed(type) }
        return value
    }
}

extension Int64: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Int64 {
        Int64(try Int.decode(postgresText: text, type: type))
    }

    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> Int64 {
        Int64(try Int.decode(postgresBytes: bytes, type: type))
    }
}

extension Int32: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Int32 {
        var text = text
        return try text.withUTF8 { try decode(postgresBytes: $0, type: type) }
    }

    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> Int32 {
        guard type == .int2 || type == .int4 else { throw mismatch(type) }
        guard let wide = parseInteger(bytes), let value = Int32(exactly: wide) else { throw malformed(type) }
        return value
    }
}

extension Bool: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Bool {
        var text = text
        return try text.withUTF8 { try decode(postgresBytes: $0, type: type) }
    }

    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> Bool {
        guard type == .bool else { throw mismatch(type) }
        guard bytes.count == 1 else { throw malformed(type) }
        switch bytes[0] {  // one byte, checked above: no input reaches a trap
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw malformed(type)
        }
    }
}

extension Double: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Double {
        switch type {
        case .float4, .float8, .numeric, .int2, .int4, .int8: break
        default: throw mismatch(type)
        }
        guard let value = Double(text) else { throw malformed(type) }
        return value
    }
}

extension Decimal: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Decimal {
        switch type {
        case .numeric, .int2, .int4, .int8: break
        default: throw mismatch(type)
        }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw malformed(type)
        }
        return value
    }
}

extension UUID: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> UUID {
        guard type == .uuid else { throw mismatch(type) }
        guard let value = UUIDText.parse(text) else { throw malformed(type) }
        return value
    }

    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> UUID {
        guard type == .uuid else { throw mismatch(type) }
        guard let value = UUIDText.parse(utf8: bytes) else { throw malformed(type) }
        return value
    }
}

extension Date: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Date {
        guard type == .timestamptz else { throw mismatch(type) }
        guard let value = PostgresTimestamp.parse(text) else { throw malformed(type) }
        return value
    }

    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> Date {
        guard type == .timestamptz else { throw mismatch(type) }
        guard let value = PostgresTimestamp.parse(utf8: bytes) else { throw malformed(type) }
        return value
    }
}

extension CalendarDate: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws
        -> CalendarDate
    {
        guard type == .date else { throw mismatch(type) }
        guard let value = CalendarDate(iso: text) else { throw malformed(type) }
        return value
    }

    public static func decode(postgresBytes bytes: UnsafeBufferPointer<UInt8>, type: PostgresDataType) throws -> CalendarDate {
        guard type == .date else { throw mismatch(type) }
        guard let value = CalendarDate(isoUTF8: bytes) else { throw malformed(type) }
        return value
    }
}

extension JSONB: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> JSONB {
        guard type == .jsonb || type == .json else { throw mismatch(type) }
        return JSONB(text: text)
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement & PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> [Element] {
        let elementType: PostgresDataType
        switch type {
        case .textArray, .varcharArray: elementType = .text
        case .uuidArray: elementType = .uuid
        default: throw mismatch(type)
        }
        guard let items = PostgresArrayLiteral.parse(text) else { throw malformed(type) }
        return try items.map { item in
            guard let item else {
                throw PostgresError(
                    kind: .decoding, message: "NULL element in \(type) for \(Self.self)")
            }
            return try Element.decode(postgresText: item, type: elementType)
        }
    }
}
