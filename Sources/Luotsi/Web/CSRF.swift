import Crypto
import Foundation
import Hummingbird

/// Cross-site request forgery tokens. A signed-in form carries a token derived from the session
/// token (which only the browser's HttpOnly cookie holds), so it is bound to that session and
/// valid on every instance without shared state. The sign-in form, before any session, uses a
/// random double-submit cookie instead.
public enum CSRF {
    public static let fieldName = "csrf"
    public static let preSessionCookie = "luotsi_csrf"

    /// The pre-session cookie's name: `__Host-` prefixed over HTTPS, as the session's is.
    static func preSessionCookie(secure: Bool) -> String { secure ? "__Host-" + preSessionCookie : preSessionCookie }

    /// The token for forms of the session behind `sessionToken`.
    public static func token(forSession sessionToken: String) -> String {
        let digest = SHA256.hash(data: Data("luotsi-csrf-v1|\(sessionToken)".utf8))
        return Encoding.base64URL(Data(digest))
    }

    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Encoding.base64URL(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    /// Compares in time independent of where the texts differ.
    public static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
