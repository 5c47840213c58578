import Foundation

/// A Swift type that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Decodes `text` of a column of `type`; throws when the type does not fit.
    static func decode(postgresText text: String, type: PostgresDataType) throws -> Self
}

extension PostgresDecodable {
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
}

extension Int: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Int {
        guard [.int2, .int4, .int8, .oid].contains(type) else { throw mismatch(type) }
        guard let value = Int(text) else { throw malformed(type) }
        return value
    }
}

extension Int64: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Int64 {
        Int64(try Int.decode(postgresText: text, type: type))
    }
}

extension Int32: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Int32 {
        guard [.int2, .int4].contains(type) else { throw mismatch(type) }
        guard let value = Int32(text) else { throw malformed(type) }
        return value
    }
}

extension Bool: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Bool {
        guard type == .bool else { throw mismatch(type) }
        switch text {
        case "t": return true
        case "f": return false
        default: throw malformed(type)
        }
    }
}

extension Double: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Double {
        guard [.float4, .float8, .numeric, .int2, .int4, .int8].contains(type) else {
            throw mismatch(type)
        }
        guard let value = Double(text) else { throw malformed(type) }
        return value
    }
}

extension Decimal: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Decimal {
        guard [.numeric, .int2, .int4, .int8].contains(type) else { throw mismatch(type) }
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
}

extension Date: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws -> Date {
        guard type == .timestamptz else { throw mismatch(type) }
        guard let value = PostgresTimestamp.parse(text) else { throw malformed(type) }
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
