import Foundation
import Hummingbird
import Postgres

/// A posted HTML form (`application/x-www-form-urlencoded`), decoded by `FormEncoding`, which
/// returns an error for any malformed body instead of trapping. Every accessor that converts a
/// value names the form field in its error, so the page can point the error summary at it.
public struct FormData: Sendable {
    public let values: [String: [String]]

    public init(values: [String: [String]] = [:]) { self.values = values }

    /// The largest body read; a longer one is refused with 413's meaning as a 400.
    public static let maximumBytes = 256 * 1024

    /// Reads the body (at most 256 KiB).
    public static func read(_ request: Request) async throws -> FormData {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch {
            throw LuotsiError.malformed("the form is larger than 256 KiB")
        }
        return try parse(buffer.readableBytesView)
    }

    /// Decodes an urlencoded body; throws `malformedField` naming the first field that is not
    /// percent-encoded UTF-8.
    static func parse(_ body: some Collection<UInt8>) throws -> FormData {
        var values: [String: [String]] = [:]
        for (name, value) in try FormEncoding.pairs(body) { values[name, default: []].append(value) }
        return FormData(values: values)
    }

    /// The first value, trimmed; `nil` when absent or blank.
    public func text(_ name: String) -> String? {
        guard let value = values[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The first value as typed (for echoing back into the form).
    public func raw(_ name: String) -> String { values[name]?.first ?? "" }

    public func all(_ name: String) -> [String] { values[name] ?? [] }

    public func uuid(_ name: String, field: String? = nil) throws -> UUID? {
        guard let text = text(name) else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw LuotsiError.invalid(field: field ?? name, reason: "must be chosen from the list")
        }
        return id
    }

    /// Every value of a repeated field (checkboxes) as ids, blanks skipped.
    public func uuids(_ name: String, field: String? = nil) throws -> [UUID] {
        try all(name).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.map { text in
            guard let id = UUID(uuidString: text) else {
                throw LuotsiError.invalid(field: field ?? name, reason: "must be chosen from the list")
            }
            return id
        }
    }

    public func int(_ name: String, field: String? = nil) throws -> Int? {
        guard let text = text(name) else { return nil }
        guard let number = Int(text) else { throw LuotsiError.invalid(field: field ?? name, reason: "must be a whole number") }
        return number
    }

    /// A decimal typed with either a comma or a point, spaces allowed as thousands separators;
    /// within the API's limits for amounts (`JSONNumbers`: up to 10^15, rounded to 6 decimal
    /// places), so a form stores nothing the API would refuse.
    public func decimal(_ name: String, field: String? = nil) throws -> Decimal? {
        guard let text = text(name) else { return nil }
        let cleaned = text.replacingOccurrences(of: "\u{00A0}", with: "").replacingOccurrences(of: " ", with: "")
            .replacingOccurrences(of: ",", with: ".")
        guard cleaned.utf8.count <= 40, cleaned.allSatisfy({ "0123456789.-".contains($0) }),
            let number = Decimal(string: cleaned, locale: Locale(identifier: "en_US_POSIX")), !number.isNaN
        else { throw LuotsiError.invalid(field: field ?? name, reason: "must be a number") }
        guard abs(number) <= Decimal(JSONNumbers.limit) else {
            throw LuotsiError.invalid(field: field ?? name, reason: "must be between -10^15 and 10^15")
        }
        var rounded = Decimal()
        var exact = number
        NSDecimalRound(&rounded, &exact, 6, .plain)
        return rounded
    }

    public func date(_ name: String, field: String? = nil) throws -> CalendarDate? {
        guard let text = text(name) else { return nil }
        guard let date = CalendarDate(iso: text) else {
            throw LuotsiError.invalid(field: field ?? name, reason: "must be a date (yyyy-mm-dd)")
        }
        return date
    }
}
