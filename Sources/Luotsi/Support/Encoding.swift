import Crypto
import Foundation

/// The two encodings the app writes by hand in several places.
enum Encoding {
    /// Lower-case hex SHA-256 (migration checksums, stored session-token hashes).
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// URL-safe base64 without padding (session tokens, list cursors).
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
