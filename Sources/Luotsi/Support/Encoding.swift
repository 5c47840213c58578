import Crypto
import Foundation

/// The two encodings the app writes by hand in several places.
enum Encoding {
    /// Lower-case hex SHA-256 (migration checksums, stored session-token hashes).
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// 32 random bytes from the system's generator, base64url: a secret nobody can guess
    /// (session and device tokens).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    /// URL-safe base64 without padding (session tokens, list cursors).
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
