import Foundation

/// A Swift value that can be bound as a query parameter.
public protocol PostgresEncodable: Sendable {
    var postgresBind: PostgresBind { get }
}

extension String: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: self, type: .text) }
}

extension Int: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), type: .int8) }
}

extension Int64: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), type: .int8) }
}

extension Int32: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), type: .int4) }
}

extension Int16: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), type: .int2) }
}

extension Bool: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: self ? "t" : "f", type: .bool) }
}

extension Double: PostgresEncodable {
    public var postgresBind: PostgresBind {
        // PostgreSQL spells the special values its own way.
        let text: String =
            if isNaN { "NaN" } else if self == .infinity { "Infinity" } else if self == -.infinity {
                "-Infinity"
            } else { String(self) }
        return PostgresBind(text: text, type: .float8)
    }
}

extension Decimal: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: description, type: .numeric) }
}

extension UUID: PostgresEncodable {
    public var postgresBind: PostgresBind {
        PostgresBind(text: uuidString.lowercased(), type: .uuid)
    }
}

extension Date: PostgresEncodable {
    /// Bound as `timestamptz` in UTC with microseconds, PostgreSQL's own precision.
    public var postgresBind: PostgresBind {
        PostgresBind(text: PostgresTimestamp.format(self), type: .timestamptz)
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public var postgresBind: PostgresBind {
        let items = map { element -> String in
            guard let text = element.postgresBind.text else { return "NULL" }
            return PostgresArrayLiteral.quote(text)
        }
        return PostgresBind(text: "{" + items.joined(separator: ",") + "}", type: Element.arrayType)
    }
}

/// An element type that has a PostgreSQL array type.
public protocol PostgresArrayElement: PostgresEncodable {
    static var arrayType: PostgresDataType { get }
}

extension String: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .textArray }
}

extension Decimal: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .numericArray }
}

extension UUID: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .uuidArray }
}

/// JSON text bound as `jsonb`, e.g. `JSONB(encoding: value)`.
public struct JSONB: PostgresEncodable, Equatable {
    /// The JSON document's text.
    public var text: String

    public init(text: String) { self.text = text }

    /// Encodes a value with sorted keys, so equal values give equal text.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the document into a Swift type.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(text.utf8))
    }

    public var postgresBind: PostgresBind { PostgresBind(text: text, type: .jsonb) }
}
