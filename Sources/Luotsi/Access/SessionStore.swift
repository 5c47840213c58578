import Foundation
import Postgres

/// Sessions: random 256-bit tokens, stored only as SHA-256 hashes in the platform schema.
public struct SessionStore: Sendable {
    public let pool: PostgresPool
    public let platform: SchemaName
    public let tenants: TenantDatabase
    public let lifetime: Duration
    /// A session unused this long has ended.
    public let idleTimeout: Duration
    let members = MemberCache()
    let cache: SessionCache
    /// The notification channel of identity changes (see `sql/platform/010_identity_notifications.sql`).
    public static let channel = "luotsi_identity"

    public init(
        pool: PostgresPool, platform: SchemaName, tenants: TenantDatabase, lifetime: Duration, idleTimeout: Duration = .seconds(2 * 3600),
        cacheCapacity: Int = 100_000
    ) {
        self.cache = SessionCache(capacity: cacheCapacity)
        self.pool = pool
        self.platform = platform
        self.tenants = tenants
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
    }

    /// Tokens are 32 random bytes in base64url: anything else is refused without a look-up.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D || $0 == 0x5F
            }
    }

    /// Starts a session and returns its token (shown to the client once, never stored).
    public func start(organisationID: UUID?, userID: UUID) async throws -> String {
        let token = Encoding.randomToken()
        let seconds = Int(lifetime.components.seconds)
        try await pool.query(
            """
            INSERT INTO \(schema: platform).sessions (token_hash, organisation_id, user_id, expires_at)
            VALUES (\(Self.hash(token)), \(organisationID), \(userID), now() + make_interval(secs => \(seconds)))
            """)
        return token
    }

    /// The identity behind a token, or `nil` when it is unknown, expired, revoked, its
    /// organisation is suspended or its user deactivated.
    /// A hit in the process's cache costs no round trip (see `SessionCache`).
    public func resolve(_ token: String) async throws -> Identity? {
        guard Self.isWellFormed(token) else { return nil }
        let hash = Self.hash(token)
        if let cached = cache.get(hash) { return cached }
        let generation = cache.generation
        guard let (identity, expiresAt) = try await read(token) else { return nil }
        cache.put(hash, .init(identity: identity, expiresAt: expiresAt, readAt: .now), readAtGeneration: generation)
        return identity
    }

    /// Reads a session's identity and its absolute end from the database.
    private func read(_ token: String) async throws -> (Identity, Date)? {
        let idle = Int(idleTimeout.components.seconds)
        let rows = try await pool.query(
            """
            SELECT s.user_id, s.expires_at, s.last_seen_at < now() - interval '1 minute' AS stale_touch, o.id, o.slug, o.name, o.schema_name, o.status, o.created_at,
                   a.email AS admin_email, a.name AS admin_name, a.language AS admin_language
            FROM \(schema: platform).sessions s
            LEFT JOIN \(schema: platform).organisations o ON o.id = s.organisation_id
            LEFT JOIN \(schema: platform).platform_admins a ON s.organisation_id IS NULL AND a.id = s.user_id AND a.active
            WHERE s.token_hash = \(Self.hash(token)) AND s.revoked_at IS NULL AND s.expires_at > now()
              AND s.last_seen_at > now() - make_interval(secs => \(idle))
            """)
        guard let row = try rows.single() else { return nil }
        let userID: UUID = try row.decode("user_id")
        let expiresAt: Date = try row.decode("expires_at")
        if try row.decode("stale_touch", as: Bool.self) {
            try await pool.query(
                "UPDATE \(schema: platform).sessions SET last_seen_at = now() WHERE token_hash = \(Self.hash(token))")
        }
        guard try row.decode("id", as: UUID?.self) != nil else {
            guard let email = try row.decode("admin_email", as: String?.self) else { return nil }
            let admin = Identity.PlatformAdmin(
                id: userID, email: email, name: try row.decode("admin_name"),
                language: try row.decode("admin_language", as: String?.self).flatMap(Language.init))
            return (.platformAdmin(admin), expiresAt)
        }
        let organisation = try OrganisationRepository.organisation(from: row)
        guard organisation.status == .active else { return nil }
        if let cached = members.get(userID, in: organisation.id) {
            let member = Identity.Member(
                id: userID, email: cached.email, name: cached.name, role: cached.role, organisation: organisation,
                language: cached.language)
            return (.member(member), expiresAt)
        }
        let userRow = try await tenants.withTenant(organisation.schema) { connection in
            try await connection.query("SELECT id, email, name, role, active, language FROM users WHERE id = \(userID) AND active").single()
        }
        guard let userRow else { return nil }
        let user = try UserRepository.user(from: userRow)
        let language = try userRow.decode("language", as: String?.self).flatMap(Language.init)
        members.put(
            user.id, in: organisation.id, .init(email: user.email, name: user.name, role: user.role, language: language, readAt: .now))
        let member = Identity.Member(
            id: user.id, email: user.email, name: user.name, role: user.role, organisation: organisation, language: language)
        return (.member(member), expiresAt)
    }

    /// Ends a session.
    public func revoke(_ token: String) async throws {
        cache.invalidate(.session(tokenHash: Self.hash(token)))
        try await pool.query(
            "UPDATE \(schema: platform).sessions SET revoked_at = now() WHERE token_hash = \(Self.hash(token)) AND revoked_at IS NULL"
        )
    }

    /// Forgets what was read about a user (after they change their own profile).
    /// Every instance forgets it too (the change is committed before this is called).
    public func forget(userID: UUID) async throws {
        invalidate(.user(userID))
        try await pool.query("SELECT pg_notify(\(Self.channel), \("user:" + userID.uuidString.lowercased()))")
    }

    /// Applies a change this instance made or was told of.
    func invalidate(_ target: SessionCache.Target) {
        cache.invalidate(target)
        switch target {
        case .user(let id): members.forget(id)
        case .everything: members.forgetAll()
        case .session, .organisation: break
        }
    }

    /// Listens for identity changes made by any instance or tool, on a direct connection (only
    /// these: `AppServices.listener` listens for the organisations' data versions too).
    public func listener(conninfo: String) -> PostgresListener {
        PostgresListener(
            conninfo: conninfo, channels: [Self.channel], onReconnect: { [self] in invalidate(.everything) },
            onNotification: { [self] _, payload in receive(payload) })
    }

    /// Applies a notification on `channel`.
    func receive(_ payload: String) {
        if payload.hasPrefix("barrier:") {
            cache.barriers.withLock { _ = $0.insert(payload) }
        } else {
            invalidate(SessionCache.target(of: payload))
        }
    }

    /// Returns once this instance's listener has applied every change committed before the call
    /// (notifications arrive in commit order), or throws after `timeout`. For tests and drills.
    public func awaitNotificationsApplied(timeout: Duration = .seconds(5)) async throws {
        let barrier = "barrier:" + UUID().uuidString.lowercased()
        try await pool.query("SELECT pg_notify(\(Self.channel), \(barrier))")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if cache.barriers.withLock({ $0.remove(barrier) != nil }) { return }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw PostgresError(kind: .connection, message: "no notification arrived within \(timeout): is the listener running?")
    }

    /// Ends every session of one user (when deactivated or given another role).
    public func revokeAll(organisationID: UUID, userID: UUID) async throws {
        invalidate(.user(userID))
        try await pool.query(
            """
            WITH revoked AS (
                UPDATE \(schema: platform).sessions SET revoked_at = now()
                WHERE organisation_id = \(organisationID) AND user_id = \(userID) AND revoked_at IS NULL)
            SELECT pg_notify(\(Self.channel), \("user:" + userID.uuidString.lowercased()))
            """)
    }

    /// Ends every session of this person and starts a new one, in one transaction: after a
    /// password change or turning the second factor on, a copy of any earlier token (a stolen
    /// one included) stops working, and the person who made the change goes on with the new one.
    public func replaceAll(of identity: Identity) async throws -> String {
        let organisationID: UUID? = if case .member(let member) = identity { member.organisation.id } else { nil }
        let token = Encoding.randomToken()
        let seconds = Int(lifetime.components.seconds)
        invalidate(.user(identity.userID))
        try await pool.withTransaction { connection in
            _ = try await connection.pipeline([
                """
                WITH revoked AS (
                    UPDATE \(schema: platform).sessions SET revoked_at = now()
                    WHERE user_id = \(identity.userID) AND organisation_id IS NOT DISTINCT FROM \(organisationID) AND revoked_at IS NULL)
                SELECT pg_notify(\(Self.channel), \("user:" + identity.userID.uuidString.lowercased()))
                """,
                """
                INSERT INTO \(schema: platform).sessions (token_hash, organisation_id, user_id, expires_at)
                VALUES (\(Self.hash(token)), \(organisationID), \(identity.userID), now() + make_interval(secs => \(seconds)))
                """,
            ])
        }
        return token
    }

    static func hash(_ token: String) -> String {
        Encoding.sha256Hex(token)
    }
}
