import HTTPTypes
import Hummingbird

/// Version-based entity tags: a resource's ETag changes on every update, and updates must name
/// the one they read in `If-Match` (a stale one is 412, a missing one 428).
public enum ETag {
    public static func value(version: Int) -> String { "\"v\(version)\"" }

    /// The version the client's `If-Match` names.
    public static func expectedVersion(_ request: Request) throws -> Int {
        guard let header = request.headers[.ifMatch], !header.isEmpty else { throw LuotsiError.preconditionRequired }
        var text = header.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        guard text.hasPrefix("\"v"), text.hasSuffix("\""), let version = Int(text.dropFirst(2).dropLast()) else {
            throw LuotsiError.preconditionFailed
        }
        return version
    }

    public static func headers(version: Int) -> HTTPFields { [.eTag: value(version: version)] }
}
