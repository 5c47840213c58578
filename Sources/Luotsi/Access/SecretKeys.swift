import Crypto
import Foundation

/// The keys that encrypt second-factor (TOTP) keys at rest, from `LUOTSI_SECRET_KEY_FILE`: one
/// key per line, each 32 random bytes in base64 (`openssl rand -base64 32`); `#` starts a
/// comment. The first key encrypts; every key decrypts, which is how a key is rotated
/// (docs/operations.md): add the new one below, restart every instance, move it to the top,
/// restart again (each start re-encrypts what an older key sealed), then drop the old line.
///
/// A sealed value is `v1:<key id>:<base64 of nonce, ciphertext and tag>` (AES-256-GCM), bound to
/// the account it belongs to, so a value copied onto another account does not open. A value
/// without the `v1:` prefix is a key stored in plain text by an earlier release: it is read as
/// such and sealed at the next start-up.
public struct SecretKeys: Sendable {
    struct Key: Sendable {
        /// The first 8 hex digits of the key's SHA-256: which key sealed a value.
        let id: String
        /// The key's bytes (`SymmetricKey` is not `Sendable`; it is made where it is used).
        let bytes: Data
        var key: SymmetricKey { SymmetricKey(data: bytes) }
    }

    let keys: [Key]

    public static let none = SecretKeys(keys: [])

    init(keys: [Key]) { self.keys = keys }

    /// Reads the key file; names the line that is not a 32-byte base64 key.
    public init(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LuotsiError.invalid(field: "LUOTSI_SECRET_KEY_FILE", reason: "cannot read \(path)")
        }
        var keys: [Key] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw LuotsiError.invalid(
                    field: "LUOTSI_SECRET_KEY_FILE",
                    reason: "line \(number + 1) of \(path) is not 32 bytes in base64 (openssl rand -base64 32)")
            }
            keys.append(Key(id: Self.id(of: bytes), bytes: bytes))
        }
        guard !keys.isEmpty else { throw LuotsiError.invalid(field: "LUOTSI_SECRET_KEY_FILE", reason: "\(path) holds no key") }
        self.keys = keys
    }

    /// From the environment: `LUOTSI_SECRET_KEY_FILE`, or no keys when it is not set.
    public init(environment: [String: String]) throws {
        if let path = environment["LUOTSI_SECRET_KEY_FILE"], !path.isEmpty { try self.init(file: path) } else { self = .none }
    }

    public var isConfigured: Bool { !keys.isEmpty }

    static func id(of bytes: Data) -> String { String(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined().prefix(8)) }

    /// Seals a TOTP key for the account `owner`; refuses when no key is configured.
    func seal(_ secret: String, owner: UUID) throws -> String {
        guard let current = keys.first else { throw Self.notConfigured }
        let box = try AES.GCM.seal(Data(secret.utf8), using: current.key, authenticating: Self.context(owner))
        guard let combined = box.combined else { throw Self.notConfigured }
        return "v1:\(current.id):\(combined.base64EncodedString())"
    }

    /// The TOTP key in a stored value (sealed, or plain text from an earlier release).
    func open(_ stored: String, owner: UUID) throws -> String {
        guard stored.hasPrefix("v1:") else { return stored }
        let parts = stored.split(separator: ":", maxSplits: 2)
        guard parts.count == 3, let combined = Data(base64Encoded: String(parts[2])) else { throw Self.unreadable }
        guard let key = keys.first(where: { $0.id == parts[1] }) else {
            throw isConfigured ? Self.unreadable : Self.notConfigured
        }
        do {
            let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key.key, authenticating: Self.context(owner))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw Self.unreadable
        }
    }

    /// Whether a stored value should be sealed again: plain text, or sealed by an older key.
    func needsResealing(_ stored: String) -> Bool {
        guard let current = keys.first else { return false }
        return !stored.hasPrefix("v1:\(current.id):")
    }

    private static func context(_ owner: UUID) -> Data { Data("luotsi-totp-v1|\(owner.uuidString.lowercased())".utf8) }

    static let notConfigured = LuotsiError.unavailable(
        "the second factor is not available: this server has no secret key (LUOTSI_SECRET_KEY_FILE)")
    static let unreadable = LuotsiError.unavailable(
        "a second-factor key was sealed with a key this server does not have (LUOTSI_SECRET_KEY_FILE)")
}
