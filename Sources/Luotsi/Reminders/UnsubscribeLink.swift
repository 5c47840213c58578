import Crypto
import Foundation
import Postgres
import Synchronization

/// The signed address in each digest that turns its recipient's digests off without signing in
/// (RFC 8058 one-click): `/unsubscribe/<organisation>.<person>.<signature>`. The signature is an
/// HMAC-SHA256 under the key every instance shares (platform migration 016's `mail_link_key`), so
/// no one can make a link for somebody else, and a link keeps working for as long as the key does.
public final class UnsubscribeLink: Sendable {
    let pool: PostgresPool
    let platform: SchemaName
    private let cachedKey = Mutex<Data?>(nil)

    init(pool: PostgresPool, platform: SchemaName) {
        self.pool = pool
        self.platform = platform
    }

    /// Whom a valid token names.
    public struct Recipient: Sendable, Equatable {
        public let organisation: String
        public let person: UUID
    }

    func token(organisation slug: String, person: UUID) async throws -> String {
        let id = person.uuidString.lowercased()
        return "\(slug).\(id).\(try await signature(slug, id))"
    }

    /// The recipient a token names, or nil for anything that is not a token this server signed.
    public func verify(_ token: String) async throws -> Recipient? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // organisation.person.signature: named by position once the count is known to be three.
        guard parts.count == 3, let organisation = parts.first, let signed = parts.last, let middle = parts.dropFirst().first,
            organisation.count <= 50, organisation.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
            let person = UUID(uuidString: middle)
        else { return nil }
        let expected = try await signature(organisation, middle.lowercased())
        // Compared in constant time: the signature is the secret part.
        guard expected.utf8.count == signed.utf8.count, zip(expected.utf8, signed.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            return nil
        }
        return Recipient(organisation: organisation, person: person)
    }

    private func signature(_ slug: String, _ person: String) async throws -> String {
        let key = SymmetricKey(data: try await key())
        let mac = HMAC<SHA256>.authenticationCode(for: Data("unsubscribe\n\(slug)\n\(person)".utf8), using: key)
        return Data(mac.prefix(16)).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads the key now, for a caller that signs inside a transaction (which must not ask the
    /// pool for another connection).
    func load() async throws { _ = try await key() }

    private func key() async throws -> Data {
        if let key = cachedKey.withLock({ $0 }) { return key }
        guard let row = try await pool.query("SELECT key FROM \(schema: platform).mail_link_key").single(),
            let key = Data(base64Encoded: try row.decode("key", as: String.self))
        else { throw PostgresError(kind: .decoding, message: "the platform has no mail link key (migration 016)") }
        cachedKey.withLock { $0 = key }
        return key
    }
}
