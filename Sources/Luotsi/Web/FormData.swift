import Foundation
import Hummingbird
import Postgres

/// A posted HTML form (`application/x-www-form-urlencoded`), read with Foundation's URL
/// parser. Every accessor that converts a value names the form field in its error, so the page
/// can point the error summary at it.
public struct FormData: Sendable {
    public let values: [String: [String]]

    public init(values: [String: [String]] = [:]) { self.values = values }

    /// Reads the body (at most 256 KiB).
    public static func read(_ request: Request) async throws -> FormData {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 256 * 1024)
        } catch {
            throw LuotsiError.malformed("the form is larger than 256 KiB")
        }
        return parse(String(buffer: buffer))
    }

    static func parse(_ body: String) -> FormData {
        var components = URLComponents()
        // In forms a space is '+'; URLComponents only knows %20.
        components.percentEncodedQuery = body.replacingOccurrences(of: "+", with: "%20")
        var values: [String: [String]] = [:]
        for item in components.queryItems ?? [] { values[item.name, default: []].append(item.value ?? "") }
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

    public func int(_ name: String, field: String? = nil) throws -> Int? {
        guard let text = text(name) else { return nil }
        guard let number = Int(text) else { throw LuotsiError.invalid(field: field ?? name, reason: "must be a whole number") }
        return number
    }

    /// A decimal typed with either a comma or a point, spaces allowed as thousands separators.
    public func decimal(_ name: String, field: String? = nil) throws -> Decimal? {
        guard let text = text(name) else { return nil }
        let cleaned = text.replacingOccurrences(of: "\u{00A0}", with: "").replacingOccurrences(of: " ", with: "")
            .replacingOccurrences(of: ",", with: ".")
        guard let number = Decimal(string: cleaned, locale: Locale(identifier: "en_US_POSIX")), "\(number)" != "NaN",
            cleaned.allSatisfy({ "0123456789.-".contains($0) })
        else { throw LuotsiError.invalid(field: field ?? name, reason: "must be a number") }
        return number
    }

    public func date(_ name: String, field: String? = nil) throws -> CalendarDate? {
        guard let text = text(name) else { return nil }
        guard let date = CalendarDate(iso: text) else {
            throw LuotsiError.invalid(field: field ?? name, reason: "must be a date (yyyy-mm-dd)")
        }
        return date
    }
}
