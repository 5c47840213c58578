import Foundation
import Hummingbird
import Postgres

/// A request body type that names the fields it accepts, so an unknown field is a 422 that
/// names it rather than being silently ignored.
public protocol JSONInput: Decodable {
    static var fields: Set<String> { get }
    /// The fields of objects nested under a top-level field (directly, or as array elements).
    static var nestedFields: [String: Set<String>] { get }
}

extension JSONInput {
    public static var nestedFields: [String: Set<String>] { [:] }
}

/// Reads request bodies: malformed JSON is 400; unknown fields, missing or mistyped values 422
/// naming the field.
public enum JSONBody {
    static let maxBytes = 1 << 20

    /// The parsed JSON object and the raw bytes.
    static func object(_ request: Request) async throws -> (object: [String: Any], data: Data) {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw LuotsiError.malformed("the body is larger than 1 MiB")
        }
        let data = Data(buffer: buffer)
        guard !data.isEmpty else { throw LuotsiError.malformed("a JSON object is required as the body") }
        guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw LuotsiError.malformed("the body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else { throw LuotsiError.malformed("the body must be a JSON object") }
        var changed = false
        // `normalise` returns an object for an object; the fallback only satisfies the type.
        let normalised = try JSONNumbers.normalise(object, path: "", changed: &changed) as? [String: Any] ?? object
        return changed ? (normalised, try JSONSerialization.data(withJSONObject: normalised)) : (object, data)
    }

    /// Decodes a body of type `T`, refusing unknown fields.
    public static func decode<T: JSONInput>(_ type: T.Type, from request: Request) async throws -> T {
        let (object, data) = try await object(request)
        return try decode(type, object: object, data: data)
    }

    static func decode<T: JSONInput>(_ type: T.Type, object: [String: Any], data: Data) throws -> T {
        if let unknown = object.keys.sorted().first(where: { !T.fields.contains($0) }) {
            throw LuotsiError.invalid(field: unknown, reason: "unknown field")
        }
        for (key, allowed) in T.nestedFields {
            let nested: [(String, [String: Any])] =
                if let inner = object[key] as? [String: Any] {
                    [(key, inner)]
                } else if let items = object[key] as? [Any] {
                    items.enumerated().compactMap { index, item in (item as? [String: Any]).map { ("\(key)[\(index)]", $0) } }
                } else {
                    []
                }
            for (path, inner) in nested {
                if let unknown = inner.keys.sorted().first(where: { !allowed.contains($0) }) {
                    throw LuotsiError.invalid(field: "\(path).\(unknown)", reason: "unknown field")
                }
            }
        }
        do {
            return try APICoding.decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw translate(error)
        }
    }

    /// Decoding errors name the offending field.
    static func translate(_ error: DecodingError) -> LuotsiError {
        func path(_ context: DecodingError.Context, _ extra: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (extra.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(
                of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context): return .invalid(field: path(context, key), reason: "is required")
        case .valueNotFound(_, let context): return .invalid(field: path(context), reason: "must not be null")
        case .typeMismatch(let type, let context): return .invalid(field: path(context), reason: "must be \(describe(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .malformed("the body is not valid JSON") }
            return .invalid(field: path(context), reason: context.debugDescription)
        @unknown default: return .malformed("the body could not be read")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int16.Type, is Int32.Type: "a whole number"
        case is Double.Type, is Decimal.Type: "a number"
        case is Bool.Type: "true or false"
        default: "of the right type"
        }
    }
}

/// A PATCH field: absent, explicitly null, or a value.
public enum Patch<Value: Decodable & Sendable>: Decodable, Sendable {
    case absent
    case null
    case value(Value)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Value.self))
    }

    /// The new value when one was given (null counts as "set to nothing").
    public var isPresent: Bool { if case .absent = self { false } else { true } }
    public var value: Value? { if case .value(let value) = self { value } else { nil } }
}

extension KeyedDecodingContainer {
    /// Absent keys decode as `.absent` rather than failing.
    public func decode<T>(_ type: Patch<T>.Type, forKey key: Key) throws -> Patch<T> {
        // Not decodeIfPresent: it turns an explicit null into "absent".
        // (And not `decode(type, forKey:)`, which would resolve to this very overload.)
        contains(key) ? try Patch<T>(from: superDecoder(forKey: key)) : .absent
    }
}

/// The shared JSON coders: ISO 8601 times, sorted keys for stable output.
public enum APICoding {
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return encoder
    }()
}

/// RFC 3339 timestamps in UTC with microseconds.
enum RFC3339 {
    static func format(_ date: Date) -> String { PostgresTimestamp.format(date) }
}

/// Numbers as the API keeps them: magnitudes up to 10^15, and amounts (euros, indicator values)
/// to 6 decimal places. JSON allows any double (1e-300, 1.7e308), which `Decimal` cannot hold;
/// rounding the amounts here means every amount the OpenAPI document allows is stored, and a
/// larger number is a 422 naming its field. Whole-number fields are left for the decoder, which
/// refuses a fraction.
enum JSONNumbers {
    static let limit = 1e15
    /// The members that hold amounts (`Decimal` in the input types).
    static let amountKeys: Set<String> = ["value", "target", "baseline", "estimatedValue"]

    static func normalise(_ value: Any, path: String, changed: inout Bool) throws -> Any {
        switch value {
        case let object as [String: Any]:
            var result: [String: Any] = [:]
            for (key, inner) in object {
                result[key] = try normalise(inner, path: path.isEmpty ? key : "\(path).\(key)", changed: &changed)
            }
            return result
        case let array as [Any]:
            return try array.enumerated().map { index, inner in try normalise(inner, path: "\(path)[\(index)]", changed: &changed) }
        case let number as NSNumber:
            // Booleans are NSNumbers too ("c"); whole numbers ("i", "q", "Q") pass unless too large.
            let type = String(cString: number.objCType)
            if type == "c" { return number }
            let double = number.doubleValue
            guard double.isFinite, abs(double) <= limit else {
                throw LuotsiError.invalid(field: path, reason: "must be between -10^15 and 10^15")
            }
            let key = path.split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? ""
            guard type == "d" || type == "f", amountKeys.contains(key) else { return number }
            let rounded = (double * 1_000_000).rounded() / 1_000_000
            if rounded != double { changed = true }
            return NSNumber(value: rounded)
        default:
            return value
        }
    }
}
