import Foundation
import Postgres
import Synchronization

/// Encodes API responses to exactly the bytes `APICoding.encoder` (Foundation's `JSONEncoder`
/// with sorted keys, unescaped slashes and RFC 3339 dates) writes, at a fraction of its cost.
///
/// Under the benchmark's mix, Foundation's encoder was a fifth of all CPU on the machine: it
/// builds a dictionary per object, casts every value against its special types, then sorts. This
/// one keeps each object's members in arrays, checks special types by metadata identity, and
/// writes bytes in one pass. `verifyAgainstFoundation` (on in the tests) encodes every response
/// both ways and fails the request when they differ, so the API's bytes stay as they were.
enum ResponseJSON {
    /// When set, each response is also encoded by `APICoding.encoder` and compared byte for byte.
    static let verifyAgainstFoundation = Atomic<Bool>(false)

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        try write(try box(value), into: &bytes)
        if verifyAgainstFoundation.load(ordering: .relaxed) {
            let reference = try APICoding.encoder.encode(value)
            guard reference.elementsEqual(bytes) else {
                throw ResponseJSONMismatch(
                    expected: String(decoding: reference, as: UTF8.self), written: String(decoding: bytes, as: UTF8.self))
            }
        }
        return bytes
    }

    // MARK: - Values

    /// A JSON value before writing. Objects and arrays are classes so that containers handed
    /// out by the encoder can fill them after they were placed in their parent.
    enum Value {
        /// Bytes written as they are: numbers, `true`, `false`, `null`.
        case literal(String)
        case string(String)
        case object(Object)
        case array(Array)
        /// What a `superEncoder()` encodes, known only once it has been used.
        case deferred(Encoder)
    }

    final class Object {
        var keys: [String] = []
        var values: [Value] = []

        /// As Foundation's dictionary: a key set twice keeps the last value.
        func set(_ value: Value, for key: String) {
            if let index = keys.firstIndex(of: key) {
                values[index] = value
            } else {
                keys.append(key)
                values.append(value)
            }
        }

        /// The nested object or array already at `key`, as Foundation reuses it.
        func existing(_ key: String) -> Value? { keys.firstIndex(of: key).map { values[$0] } }
    }

    final class Array {
        var values: [Value] = []
    }

    static func box<T: Encodable>(_ value: T) throws -> Value {
        // Identity checks on the metadata are far cheaper than `as?` casts on every value. Each
        // `as!` follows the check that T is that very type: it cannot fail, whatever the value.
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int.self { return .literal(String(value as! Int)) }
        if T.self == Bool.self { return .literal((value as! Bool) ? "true" : "false") }
        if T.self == Double.self { return try number(value as! Double) }
        if T.self == Date.self { return .string(RFC3339.format(value as! Date)) }
        if T.self == Decimal.self { return .literal((value as! Decimal).description) }
        if T.self == UUID.self { return .string(UUIDText.format(value as! UUID)) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        let encoder = Encoder()
        try value.encode(to: encoder)
        // A value that encoded nothing is an empty object, as in Foundation.
        return encoder.value ?? .object(Object())
    }

    /// As Foundation writes a float: its shortest text, without a trailing `.0`; not NaN or infinite.
    static func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) throws -> Value {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) is not a JSON number"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .literal(text)
    }

    // MARK: - Writing

    static func write(_ value: Value, into bytes: inout [UInt8]) throws {
        switch value {
        case .literal(let text): bytes.append(contentsOf: text.utf8)
        case .deferred(let encoder): try write(encoder.value ?? .object(Object()), into: &bytes)
        case .string(let text): writeString(text, into: &bytes)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try write(element, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            let order = object.keys.indices.sorted { object.keys[$0].utf8.lexicographicallyPrecedes(object.keys[$1].utf8) }
            for (position, index) in order.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(object.keys[index], into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                try write(object.values[index], into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Escapes `"` and `\`, and control characters as `\b \f \n \r \t` or `\u00xx`; the rest,
    /// `/` and non-ASCII included, goes through as UTF-8.
    static func writeString(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        // Runs of bytes that need no escaping (nearly all of them) are copied whole.
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                writeEscaped(byte, into: &bytes)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ byte: UInt8, into bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
        case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        default:
            let hex = Swift.Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [
                0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
            ])
        }
    }

    // MARK: - The Encoder

    final class Encoder: Swift.Encoder {
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]
        /// What was encoded; `nil` until something was.
        var value: Value?

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .object(let object)? = value { return KeyedEncodingContainer(Keyed<Key>(object: object)) }
            let object = Object()
            value = .object(object)
            return KeyedEncodingContainer(Keyed<Key>(object: object))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .array(let array)? = value { return Unkeyed(array: array) }
            let array = Array()
            value = .array(array)
            return Unkeyed(array: array)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let object: Object
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { object.set(.literal("null"), for: key.stringValue) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { object.set(.literal(value ? "true" : "false"), for: key.stringValue) }
        mutating func encode(_ value: String, forKey key: Key) throws { object.set(.string(value), for: key.stringValue) }
        mutating func encode(_ value: Int, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { object.set(.literal(String(value)), for: key.stringValue) }
        mutating func encode(_ value: Double, forKey key: Key) throws { object.set(try number(value), for: key.stringValue) }
        mutating func encode(_ value: Float, forKey key: Key) throws { object.set(try number(value), for: key.stringValue) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { object.set(try box(value), for: key.stringValue) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<
            NestedKey
        > {
            if case .object(let nested)? = object.existing(key.stringValue) {
                return KeyedEncodingContainer(Keyed<NestedKey>(object: nested))
            }
            let nested = Object()
            object.set(.object(nested), for: key.stringValue)
            return KeyedEncodingContainer(Keyed<NestedKey>(object: nested))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            if case .array(let nested)? = object.existing(key.stringValue) { return Unkeyed(array: nested) }
            let nested = Array()
            object.set(.array(nested), for: key.stringValue)
            return Unkeyed(array: nested)
        }

        mutating func superEncoder() -> any Swift.Encoder { deferred(at: "super") }
        mutating func superEncoder(forKey key: Key) -> any Swift.Encoder { deferred(at: key.stringValue) }

        private func deferred(at key: String) -> Encoder {
            let encoder = Encoder()
            object.set(.deferred(encoder), for: key)
            return encoder
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let array: Array
        var codingPath: [any CodingKey] { [] }
        var count: Int { array.values.count }

        mutating func encodeNil() throws { array.values.append(.literal("null")) }
        mutating func encode(_ value: Bool) throws { array.values.append(.literal(value ? "true" : "false")) }
        mutating func encode(_ value: String) throws { array.values.append(.string(value)) }
        mutating func encode(_ value: Int) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: Int64) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: Int8) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: Int16) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: Int32) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: UInt) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: UInt8) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: UInt16) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: UInt32) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: UInt64) throws { array.values.append(.literal(String(value))) }
        mutating func encode(_ value: Double) throws { array.values.append(try number(value)) }
        mutating func encode(_ value: Float) throws { array.values.append(try number(value)) }
        mutating func encode<T: Encodable>(_ value: T) throws { array.values.append(try box(value)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let nested = Object()
            array.values.append(.object(nested))
            return KeyedEncodingContainer(Keyed<NestedKey>(object: nested))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let nested = Array()
            array.values.append(.array(nested))
            return Unkeyed(array: nested)
        }

        mutating func superEncoder() -> any Swift.Encoder {
            let encoder = Encoder()
            array.values.append(.deferred(encoder))
            return encoder
        }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: Encoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { encoder.value = .literal("null") }
        mutating func encode(_ value: Bool) throws { encoder.value = .literal(value ? "true" : "false") }
        mutating func encode(_ value: String) throws { encoder.value = .string(value) }
        mutating func encode(_ value: Int) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: Int64) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: Int8) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: Int16) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: Int32) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: UInt) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: UInt8) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: UInt16) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: UInt32) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: UInt64) throws { encoder.value = .literal(String(value)) }
        mutating func encode(_ value: Double) throws { encoder.value = try number(value) }
        mutating func encode(_ value: Float) throws { encoder.value = try number(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { encoder.value = try box(value) }
    }
}

/// The two encoders wrote different bytes (only when `ResponseJSON.verifyAgainstFoundation` is on).
struct ResponseJSONMismatch: Error, CustomStringConvertible {
    let expected: String
    let written: String
    var description: String { "ResponseJSON differs from Foundation's JSONEncoder:\n expected \(expected)\n written  \(written)" }
}
