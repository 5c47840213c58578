import HTTPTypes
import Hummingbird

/// Version-based entity tags: a resource's ETag changes on every update, and updates must name
/// the one they read in `If-Match` (a stale one is 412, a missing one 428).
public enum ETag {
    public static func value(version: Int) -> String { "\"v\(version)\"" }

    /// The version the client's `If-Match` names; `nil` for `*` (RFC 9110: any current version,
    /// for a client that means to overwrite whatever is there).
    public static func expectedVersion(_ request: Request) throws -> Int? {
        guard let header = request.headers[.ifMatch] else { throw LuotsiError.preconditionRequired }
        var text = header.trimmingCharacters(in: .whitespaces)
        if text == "*" { return nil }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        let digits = text.hasPrefix("\"v") && text.hasSuffix("\"") && text.count > 3 ? text.dropFirst(2).dropLast() : ""
        guard (1...9).contains(digits.count), digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), let version = Int(digits) else {
            throw LuotsiError.malformed("If-Match must be an ETag this API gave out (\"v<version>\") or *")
        }
        return version
    }

    public static func headers(version: Int) -> HTTPFields { [.eTag: value(version: version)] }
}
