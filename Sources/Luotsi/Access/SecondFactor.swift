import Foundation
import HummingbirdOTP
import Postgres

/// The optional second factor: a TOTP key (RFC 6238, 6 digits, 30 s, SHA-1: what every
/// authenticator app reads) per person. Turning it on shows a new key and takes effect only once
/// a code from it is confirmed; turning it off needs the password. With it on, signing in needs
/// a current code as well as the password, and each code works once. Keys are stored sealed
/// (`SecretKeys`), never in plain text.
public struct SecondFactor: Sendable {
    let sessions: SessionStore
    let throttle: LoginThrottle
    let keys: SecretKeys

    /// A key being set up: shown once, as text and as an `otpauth://` address for a QR reader.
    public struct Enrolment: Codable, Sendable {
        public let secret: String
        public let uri: String
    }

    /// Where a person's key is kept: their organisation's `users`, or `platform_admins`.
    struct Account {
        let table: SQL
        let id: UUID
    }

    /// 32 characters of the base32 alphabet: 160 bits, the key length RFC 4226 recommends.
    static func newKey() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    static func totp(_ key: String) -> TOTP { TOTP(secret: key, length: 6, timeStep: 30, hashFunction: .sha1) }

    /// The time step a `code` belongs to, checking the current step and one either side (clock
    /// drift), or `nil` when it matches none.
    static func step(of code: String, key: String, at date: Date = .now) -> Int64? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), let value = Int(digits) else { return nil }
        let now = Int64(date.timeIntervalSince1970) / 30
        for step in [now, now - 1, now + 1] where totp(key).compute(date: Date(timeIntervalSince1970: Double(step * 30))) == value {
            return step
        }
        return nil
    }

    /// Starts setting up a new key (replacing any unconfirmed one); the key in use, if any, stays
    /// until the new one is confirmed. Refused (503) on a server without a secret key.
    public func begin(_ identity: Identity) async throws -> Enrolment {
        let key = Self.newKey()
        let sealed = try keys.seal(key, owner: identity.userID)
        // Listed before the key is stored: start-up then never misses a key it must be able to open.
        if case .member(let member) = identity {
            try await sessions.pool.query(
                """
                INSERT INTO \(schema: sessions.platform).second_factor_accounts (schema_name, user_id)
                VALUES (\(member.organisation.schema.rawValue), \(member.id)) ON CONFLICT DO NOTHING
                """)
        }
        try await run(identity) { account, connection in
            try await connection.query("UPDATE \(account.table) SET totp_pending = \(sealed) WHERE id = \(account.id)")
        }
        return Self.enrolment(key: key, for: identity)
    }

    /// Confirms the key being set up with a code from it; from then on signing in needs a code.
    /// Every session of the person ends (one opened with a stolen password among them) and the
    /// caller goes on with the new session token returned.
    public func confirm(_ identity: Identity, code: String) async throws -> String {
        try await run(identity) { account, connection in
            guard
                let pending: String = try await connection.query("SELECT totp_pending FROM \(account.table) WHERE id = \(account.id)")
                    .single()?.decode("totp_pending", as: String?.self)
            else { throw LuotsiError.conflict("no second factor is being set up; start again") }
            guard let step = Self.step(of: code, key: try keys.open(pending, owner: account.id)) else {
                throw LuotsiError.wrongSecret(field: "code", reason: "is not the current code of the new key")
            }
            try await connection.query(
                """
                UPDATE \(account.table) SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = \(step)
                WHERE id = \(account.id)
                """)
            try await audit(turnedOn: true, identity, on: connection)
        }
        return try await sessions.replaceAll(of: identity)
    }

    /// Turns the second factor off, given the person's password (counted like a sign-in, so a
    /// stolen session cannot guess the password at bcrypt's speed).
    public func disable(_ identity: Identity, password: String) async throws {
        try await throttle.reauthentication(account: identity.throttleAccount)
        let hash: String? = try await run(identity) { account, connection in
            try await connection.query("SELECT password_hash FROM \(account.table) WHERE id = \(account.id)").single()?.decode(
                "password_hash")
        }
        guard let hash, !password.contains("\u{0}"), try await PasswordHasher.verify(password, hash: hash) else {
            throw LuotsiError.wrongSecret(field: "password", reason: "is not your password")
        }
        try await throttle.reauthenticated(account: identity.throttleAccount)
        try await run(identity) { account, connection in
            try await connection.query(
                "UPDATE \(account.table) SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = \(account.id)")
            try await audit(turnedOn: false, identity, on: connection)
        }
        if case .member(let member) = identity { try await unlist(member.organisation.schema, member.id) }
    }

    /// Management turns a colleague's second factor off (a lost phone), recorded in the
    /// organisation's audit trail. The person sets it up again themselves.
    public func reset(userID: UUID, by actor: Identity.Member) async throws {
        try await sessions.tenants.withTenant(actor.organisation.schema, role: actor.databaseRole) { connection in
            guard
                try await connection.query(
                    "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = \(userID) RETURNING id"
                ).single() != nil
            else { throw LuotsiError.notFound("user") }
            try await AuditLog.record("user.second_factor_reset", entity: "user", id: userID, by: actor, on: connection)
        }
        try await unlist(actor.organisation.schema, userID)
    }

    /// Takes a person whose keys are gone off the platform's list.
    private func unlist(_ schema: SchemaName, _ userID: UUID) async throws {
        try await sessions.pool.query(
            """
            DELETE FROM \(schema: sessions.platform).second_factor_accounts
            WHERE schema_name = \(schema.rawValue) AND user_id = \(userID)
            """)
    }

    /// The operator's way back in for a platform administrator who lost their authenticator
    /// (`luotsi user second-factor-off`); recorded in the platform audit trail.
    public func resetPlatformAdmin(email: String) async throws {
        let platform = sessions.platform
        try await sessions.pool.withTransaction { connection in
            guard
                try await connection.query(
                    """
                    UPDATE \(schema: platform).platform_admins
                    SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL
                    WHERE email = \(email.lowercased()) RETURNING id
                    """
                ).single() != nil
            else { throw LuotsiError.notFound("platform administrator \(email)") }
            try await PlatformAudit.record(
                "admin.second_factor_reset", target: email.lowercased(), by: .commandLine, platform: platform, on: connection)
        }
    }

    /// Whether the person has a confirmed key, and the key being set up if there is one.
    public func state(_ identity: Identity) async throws -> (on: Bool, pending: Enrolment?) {
        let row = try await run(identity) { account, connection in
            try await connection.query(
                "SELECT totp_secret IS NOT NULL AS on, totp_pending FROM \(account.table) WHERE id = \(account.id)"
            ).single()
        }
        let on: Bool = try row?.decode("on") ?? false
        let pending = try row?.decode("totp_pending", as: String?.self).map {
            Self.enrolment(key: try keys.open($0, owner: identity.userID), for: identity)
        }
        return (on, pending)
    }

    static func enrolment(key: String, for identity: Identity) -> Enrolment {
        // HummingbirdOTP base32-encodes the key's bytes for the address; the person types the same text.
        let uri = totp(key).createAuthenticatorURL(label: "Luotsi:\(identity.publicUser.email)", issuer: "Luotsi")
        let secret = URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return Enrolment(secret: secret, uri: uri)
    }

    /// At sign-in, after the password held: accepts `code` once for the key `key`. Within the
    /// sign-in's own transaction on the account's table, so that two uses of a code race safely.
    static func accept(code: String, key: String, table: SQL, id: UUID, on connection: some PostgresQuerying) async throws -> Bool {
        guard let step = step(of: code, key: key) else { return false }
        return try await connection.query(
            """
            UPDATE \(table) SET totp_last_step = \(step)
            WHERE id = \(id) AND (totp_last_step IS NULL OR totp_last_step < \(step)) RETURNING id
            """
        ).single() != nil
    }

    private func run<T: Sendable>(_ identity: Identity, _ body: (Account, AccountConnection) async throws -> T) async throws -> T {
        switch identity {
        case .member(let member):
            try await sessions.tenants.withTenant(member.organisation.schema) { connection in
                try await body(Account(table: "users", id: member.id), .organisation(connection))
            }
        case .platformAdmin(let admin):
            try await sessions.pool.withTransaction { connection in
                try await body(
                    Account(table: "\(schema: sessions.platform).platform_admins", id: admin.id),
                    .platform(connection))
            }
        }
    }

    private func audit(turnedOn: Bool, _ identity: Identity, on connection: AccountConnection) async throws {
        switch (identity, connection) {
        case (.member(let member), .organisation(let tenant)):
            let action = turnedOn ? "user.second_factor_on" : "user.second_factor_off"
            try await AuditLog.record(action, entity: "user", id: member.id, by: member, on: tenant)
        case (.platformAdmin(let admin), .platform(let platform)):
            let action = turnedOn ? "admin.second_factor_on" : "admin.second_factor_off"
            try await PlatformAudit.record(action, target: admin.email, by: .admin(admin), platform: sessions.platform, on: platform)
        default:
            // `run` pairs a member with their organisation and an administrator with the
            // platform: no input reaches this.
            preconditionFailure("run(_:_:) gives a member their organisation's transaction and an administrator the platform's")
        }
    }
}

/// The transaction `SecondFactor` works in: the organisation's for a member, the platform's for
/// an administrator.
enum AccountConnection: PostgresQuerying {
    case organisation(TenantConnection)
    case platform(PostgresConnection)

    @discardableResult
    func query(_ sql: SQL) async throws -> PostgresRows {
        switch self {
        case .organisation(let connection): try await connection.query(sql)
        case .platform(let connection): try await connection.query(sql)
        }
    }

    func pipeline(_ statements: [SQL]) async throws -> [PostgresRows] {
        switch self {
        case .organisation(let connection): try await connection.pipeline(statements)
        case .platform(let connection): try await connection.pipeline(statements)
        }
    }
}
