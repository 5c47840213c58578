import Foundation
import HummingbirdBcrypt
import Logging
import Metrics
import Postgres

/// Signing in and out.
public struct AuthService: Sendable {
    public let sessions: SessionStore
    public let organisations: OrganisationRepository
    public let throttle: LoginThrottle
    /// Open the sealed second-factor keys.
    let keys: SecretKeys

    /// A bcrypt hash of a random string: checked when the account does not exist, so that
    /// a wrong email takes as long as a wrong password.
    static let decoyHash = Bcrypt.hash(UUID().uuidString, cost: PasswordHasher.cost)

    public init(sessions: SessionStore, organisations: OrganisationRepository, throttle: LoginThrottle, keys: SecretKeys = .none) {
        self.sessions = sessions
        self.organisations = organisations
        self.throttle = throttle
        self.keys = keys
    }

    /// A started session, and the device token the browser keeps for its next sign-in
    /// (`LoginThrottle`: a device the account signed in on is not shut out by others' failures).
    public struct SignedIn: Sendable {
        public let token: String
        public let identity: Identity
        public let device: String
    }

    /// The device cookie: HttpOnly, a year, `__Host-` prefixed over HTTPS like the session's.
    static func deviceCookie(_ device: String, secure: Bool) -> String {
        "\(deviceCookieName(secure: secure))=\(device); Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    static func deviceCookieName(secure: Bool) -> String { secure ? "__Host-luotsi_device" : "luotsi_device" }

    /// Checks the credentials and starts a session. Every failure looks the same (401). The
    /// attempt is counted (per account, per address) before the password is checked, so that
    /// neither parallel guesses nor a flood of unknown accounts get past the throttle.
    /// `device`: the device token the browser showed, if any.
    public func login(
        organisation slug: String?, email: String, password: String, code: String? = nil, address: String, device: String? = nil,
        logger: Logger
    ) async throws -> SignedIn {
        do {
            return try await check(organisation: slug, email: email, password: password, code: code, address: address, device: device)
        } catch let error as LuotsiError {
            Self.refusals(error).increment()
            // Who was tried and from where, quoted and escaped so no input can forge a log line.
            logger.notice(
                "sign-in refused",
                metadata: [
                    "account": "\(LogText.escaped("\(slug ?? "-")|\(email)"))", "address": "\(LogText.escaped(address))",
                    "reason": "\(error)",
                ])
            throw error
        }
    }

    /// Refused sign-ins by reason (a fixed set of label values), for alerts on guessing.
    private static let refusedCredentials = Counter(label: "luotsi_sign_in_refusals_total", dimensions: [("reason", "credentials")])
    private static let refusedThrottled = Counter(label: "luotsi_sign_in_refusals_total", dimensions: [("reason", "throttled")])
    private static let refusedAskedCode = Counter(label: "luotsi_sign_in_refusals_total", dimensions: [("reason", "code_needed")])
    private static let refusedOther = Counter(label: "luotsi_sign_in_refusals_total", dimensions: [("reason", "other")])

    private static func refusals(_ error: LuotsiError) -> Counter {
        switch error {
        case .unauthenticated: refusedCredentials
        case .secondFactorRequired: refusedAskedCode
        case .throttled: refusedThrottled
        default: refusedOther
        }
    }

    private func check(
        organisation slug: String?, email: String, password: String, code: String?, address: String, device: String?
    ) async throws -> SignedIn {
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        // PostgreSQL text cannot hold U+0000 and libpq would cut the value there: never a match.
        guard !email.contains("\u{0}"), !(slug ?? "").contains("\u{0}"), !password.contains("\u{0}") else {
            throw LuotsiError.unauthenticated
        }
        let attempt = LoginThrottle.Attempt(organisation: slug, email: email, address: address, device: device)
        let counted = try await throttle.attempt(attempt)
        let platform = sessions.platform
        var identity: Identity?
        var hash: String?
        var secondFactor: (sealed: String, table: SQL, schema: SchemaName?)?
        if let slug {
            if let organisation = try? await organisations.find(slug: slug) {
                let row = try await sessions.tenants.withTenant(organisation.schema) { connection in
                    try await connection.query(
                        """
                        SELECT id, email, name, role, active, language, password_hash, totp_secret FROM users
                        WHERE email = \(email) AND active
                        """
                    )
                    .single()
                }
                if let row {
                    let user = try UserRepository.user(from: row)
                    hash = try row.decode("password_hash")
                    if let key = try row.decode("totp_secret", as: String?.self) { secondFactor = (key, "users", organisation.schema) }
                    identity = .member(
                        .init(
                            id: user.id, email: user.email, name: user.name, role: user.role, organisation: organisation,
                            language: try row.decode("language", as: String?.self).flatMap(Language.init)))
                }
            }
        } else {
            let row = try await sessions.pool.query(
                """
                SELECT id, email, name, language, password_hash, totp_secret FROM \(schema: platform).platform_admins
                WHERE email = \(email) AND active
                """
            ).single()
            if let row {
                hash = try row.decode("password_hash")
                if let key = try row.decode("totp_secret", as: String?.self) {
                    secondFactor = (key, "\(schema: platform).platform_admins", nil)
                }
                identity = .platformAdmin(
                    .init(
                        id: try row.decode("id"), email: try row.decode("email"), name: try row.decode("name"),
                        language: try row.decode("language", as: String?.self).flatMap(Language.init)))
            }
        }
        let valid = try await PasswordHasher.verify(password, hash: hash ?? Self.decoyHash)
        guard valid, let identity else { throw LuotsiError.unauthenticated }
        if let secondFactor {
            // The password held; without a code the person is told that one is needed (it reveals
            // nothing to someone who does not know the password). A wrong code counts as a failure.
            guard let code, !code.isEmpty else { throw LuotsiError.secondFactorRequired }
            // Opened only now that the password held: to anyone else, the key's state shows nothing.
            let key = try keys.open(secondFactor.sealed, owner: identity.userID)
            let accept: @Sendable (any PostgresQuerying) async throws -> Bool = { connection in
                try await SecondFactor.accept(
                    code: code, key: key, table: secondFactor.table, id: identity.userID, on: connection)
            }
            let accepted =
                if let schema = secondFactor.schema {
                    try await sessions.tenants.withTenant(schema) { try await accept($0) }
                } else {
                    try await sessions.pool.withTransaction { try await accept($0) }
                }
            guard accepted else { throw LuotsiError.unauthenticated }
        }
        // A token this account was given before is kept; any other is replaced, so that a token
        // planted in the browser by someone else never comes to vouch for this account.
        let deviceToken = counted.knownDevice ? (device ?? Encoding.randomToken()) : Encoding.randomToken()
        try await throttle.succeeded(attempt, counted, device: deviceToken)
        if case .member(let member) = identity, member.organisation.status == .suspended {
            throw LuotsiError.forbidden("the organisation is suspended; ask the platform administrator")
        }
        let organisationID: UUID? = if case .member(let member) = identity { member.organisation.id } else { nil }
        let token = try await sessions.start(organisationID: organisationID, userID: identity.userID)
        return SignedIn(token: token, identity: identity, device: deviceToken)
    }
}
