import Foundation
import Logging

/// `LOG_FORMAT=json`: one JSON object per line on standard error, for log collectors.
///
/// `{"time":"2026-11-30T08:00:00.123Z","level":"info","logger":"luotsi","message":"…",
/// "request_id":"…", …}`: the message and every metadata value (the request id among them, set
/// by `RequestIDMiddleware`) as members, nested metadata as nested JSON.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        FileHandle.standardError.write(Data(Self.line(time: Date(), level: level, label: label, message: "\(message)", metadata: merged)))
    }

    /// The bytes of one log line, newline included. Fixed members first; a metadata key that
    /// would shadow one of them is kept under `meta.`.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(UInt8(ascii: "{"))
        func member(_ key: String, _ write: (inout [UInt8]) -> Void) {
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            ResponseJSON.writeString(key, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            write(&bytes)
        }
        member("time") { ResponseJSON.writeString(RFC3339.format(time), into: &$0) }
        member("level") { ResponseJSON.writeString(level.rawValue, into: &$0) }
        member("logger") { ResponseJSON.writeString(label, into: &$0) }
        member("message") { ResponseJSON.writeString(message, into: &$0) }
        let fixed: Set<String> = ["time", "level", "logger", "message"]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            member(fixed.contains(key) ? "meta." + key : key) { write(value, into: &$0) }
        }
        bytes.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        return bytes
    }

    private static func write(_ value: Logger.Metadata.Value, into bytes: inout [UInt8]) {
        switch value {
        case .string(let text): ResponseJSON.writeString(text, into: &bytes)
        case .stringConvertible(let convertible): ResponseJSON.writeString(convertible.description, into: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, (key, member)) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                ResponseJSON.writeString(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                write(member, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// How log lines are written: `LOG_FORMAT`.
public enum LogFormat: String, Sendable {
    case text, json

    /// `LOG_FORMAT`, `text` when unset; an unknown value is refused with the variable named.
    public init(environment: [String: String]) throws {
        guard let text = environment["LOG_FORMAT"], !text.isEmpty else {
            self = .text
            return
        }
        guard let format = LogFormat(rawValue: text) else {
            throw LuotsiError.invalid(field: "LOG_FORMAT", reason: "must be text or json")
        }
        self = format
    }
}
