import Crypto
import Foundation
import Postgres

/// Finds the workshop a join code names, over every organisation (platform migration 017), and
/// keeps guests' passes: a guest's cookie holds the code and a secret of their own, scoped to
/// that workshop's addresses (`/w/<code>`); the database keeps only the secret's hash.
public struct WorkshopDirectory: Sendable {
    public let pool: PostgresPool
    public let platform: SchemaName

    /// Where a code leads: an active organisation's schema and the workshop in it.
    public struct Location: Sendable, Equatable {
        public let code: String
        public let schema: SchemaName
        public let workshopID: UUID
    }

    /// The code as people type it: any case, spaces or dashes ("k7m-4qx").
    public static func normalised(_ text: String) -> String? {
        let code = text.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        guard code.count == 6, code.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) else { return nil }
        return code
    }

    public func find(_ text: String) async throws -> Location? {
        guard let code = Self.normalised(text) else { return nil }
        guard
            let row = try await pool.query(
                """
                SELECT c.schema_name, c.workshop_id FROM \(schema: platform).workshop_codes c
                JOIN \(schema: platform).organisations o ON o.schema_name = c.schema_name AND o.status = 'active'
                WHERE c.code = \(code)
                """
            ).single()
        else { return nil }
        let schemaText: String = try row.decode("schema_name")
        guard let schema = SchemaName(schemaText) else { return nil }
        return Location(code: code, schema: schema, workshopID: try row.decode("workshop_id"))
    }

    // MARK: - Guests' passes

    static let cookieName = "luotsi_workshop_guest"

    /// A new secret (256 bits, URL-safe) and the hash kept of it.
    static func newSecret() -> (secret: String, hash: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return (secret, hash(secret))
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The cookie that lets a guest back into this workshop's pages, and only those.
    static func cookie(code: String, secret: String, secure: Bool) -> String {
        "\(cookieName)=\(secret); Path=/w/\(code); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}
