import Foundation
import Postgres

/// A person's own password: changed by themselves (knowing the current one), or set with a
/// one-time code that management issued. Management never chooses or learns a password.
public struct Passwords: Sendable {
    /// How long an issued code works.
    public static let codeLifetimeHours = 72
    /// Codes are 12 characters from an alphabet without look-alikes (about 60 bits).
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    let sessions: SessionStore
    let organisations: OrganisationRepository
    let throttle: LoginThrottle

    /// A new one-time code, shown once.
    public struct IssuedCode: Codable, Sendable {
        public let code: String
        public let expiresAt: Date
    }

    static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// Issues a code for `userID` (inside the organisation's transaction); earlier unused codes of
    /// that person stop working.
    public func issueCode(for userID: UUID, by actor: Identity.Member, on connection: TenantConnection) async throws -> IssuedCode {
        guard try await connection.query("SELECT 1 FROM users WHERE id = \(userID) AND active").single() != nil else {
            throw LuotsiError.notFound("user")
        }
        let code = Self.newCode()
        try await connection.query("UPDATE password_codes SET used_at = now() WHERE user_id = \(userID) AND used_at IS NULL")
        let expires: Date = try await connection.query(
            """
            INSERT INTO password_codes (user_id, code_hash, issued_by, expires_at)
            VALUES (\(userID), \(Encoding.sha256Hex(code)), \(actor.id), now() + make_interval(hours => \(Int32(Self.codeLifetimeHours))))
            RETURNING expires_at
            """
        ).one().decode("expires_at")
        try await AuditLog.record("user.password_code", entity: "user", id: userID, by: actor, on: connection)
        return IssuedCode(code: code, expiresAt: expires)
    }

    /// Sets the password of the person the code was issued to. Counted by the sign-in throttle
    /// first (a code is as guessable as a password); every failure looks the same. The code is
    /// checked before the new password is hashed, so that a wrong code costs no bcrypt work and
    /// answers as fast for an organisation that exists as for one that does not.
    public func redeem(organisation slug: String, email: String, code: String, newPassword: String, address: String) async throws {
        try PasswordHasher.validate(newPassword, field: "newPassword")
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let code = code.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let refused = LuotsiError.wrongSecret(
            field: "code", reason: "the code, email or organisation is not right, or the code has expired")
        guard !email.contains("\u{0}"), !slug.contains("\u{0}"), !code.contains("\u{0}") else { throw refused }
        let attempt = LoginThrottle.Attempt(organisation: slug, email: email, address: address)
        let counted = try await throttle.attempt(attempt)
        guard let organisation = try? await organisations.find(slug: slug), organisation.status == .active else { throw refused }
        let codeHash = Encoding.sha256Hex(code)
        let matches: SQL = """
            c.user_id = u.id AND u.email = \(email) AND u.active AND c.code_hash = \(codeHash)
            AND c.used_at IS NULL AND c.expires_at > now()
            """
        let valid = try await sessions.tenants.read(organisation.schema) { connection in
            try await connection.query("SELECT 1 FROM password_codes c, users u WHERE \(matches)").single() != nil
        }
        guard valid else { throw refused }
        let hash = await PasswordHasher.hash(newPassword)
        // The code is taken in the same statement that checks it again: of two uses at once, one wins.
        let userID: UUID? = try await sessions.tenants.withTenant(organisation.schema) { connection in
            guard
                let row = try await connection.query(
                    "UPDATE password_codes c SET used_at = now() FROM users u WHERE \(matches) RETURNING u.id"
                ).single()
            else { return nil }
            let id: UUID = try row.decode("id")
            try await connection.query("UPDATE users SET password_hash = \(hash), updated_at = now() WHERE id = \(id)")
            // Recorded as the person themselves: nobody else acted.
            let action = "user.password_set"
            try await connection.query(
                "INSERT INTO audit_log (actor_id, actor_email, action, entity, entity_id) VALUES (\(id), \(email), \(action), 'user', \(id))"
            )
            return id
        }
        guard let userID else { throw refused }
        try await throttle.succeeded(attempt, counted, device: nil)
        try await sessions.revokeAll(organisationID: organisation.id, userID: userID)
    }

    /// Changes the caller's own password, given the current one (counted like a sign-in, so a
    /// stolen session cannot guess it at bcrypt's speed). Every session of the person ends, this
    /// one included: the caller gets a new session token, so a copy of the old one is worthless.
    public func change(_ identity: Identity, current: String, new: String) async throws -> String {
        try PasswordHasher.validate(new, field: "newPassword")
        try await throttle.reauthentication(account: identity.throttleAccount)
        let platform = sessions.platform
        let stored: String? =
            switch identity {
            case .member(let member):
                try await sessions.tenants.withTenant(member.organisation.schema) { connection in
                    try await connection.query("SELECT password_hash FROM users WHERE id = \(member.id)").single()?.decode("password_hash")
                }
            case .platformAdmin(let admin):
                try await sessions.pool.query("SELECT password_hash FROM \(schema: platform).platform_admins WHERE id = \(admin.id)")
                    .single()?
                    .decode("password_hash")
            }
        guard let stored, !current.contains("\u{0}"), try await PasswordHasher.verify(current, hash: stored) else {
            throw LuotsiError.wrongSecret(field: "currentPassword", reason: "is not your current password")
        }
        try await throttle.reauthenticated(account: identity.throttleAccount)
        let hash = await PasswordHasher.hash(new)
        switch identity {
        case .member(let member):
            try await sessions.tenants.withTenant(member.organisation.schema) { connection in
                try await connection.query("UPDATE users SET password_hash = \(hash), updated_at = now() WHERE id = \(member.id)")
                try await AuditLog.record("user.password_change", entity: "user", id: member.id, by: member, on: connection)
            }
        case .platformAdmin(let admin):
            try await sessions.pool.query(
                "UPDATE \(schema: platform).platform_admins SET password_hash = \(hash) WHERE id = \(admin.id)")
        }
        return try await sessions.replaceAll(of: identity)
    }
}
