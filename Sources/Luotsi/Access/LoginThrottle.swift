import Foundation
import Postgres

/// Slows password guessing, in PostgreSQL so that every instance counts the same attempts
/// (`sql/platform/004_login_throttle.sql`, `013_sign_in_trust.sql`). Each attempt is counted
/// before the password is checked, against these keys:
/// - the account at this address: 5 free attempts, then waits doubling from 30 seconds up to
///   15 minutes;
/// - the account from anywhere: 20 free, then waits from 5 up to 30 seconds — a stranger can
///   slow a colleague's sign-in down, never lock them out;
/// - the address: 30 free, then from 30 seconds up to 15 minutes — one address spraying many
///   accounts slows down.
///
/// Many people may share an address (an office's NAT), so an attempt that shows it is not the
/// stranger's is let past the address: an account that signed in from this address before is
/// not counted against the address, and a browser that shows a device token the account was
/// given at an earlier sign-in is counted on that device alone (with the account-wide key),
/// so guessing elsewhere neither shuts it out nor is helped by it.
/// A successful sign-in clears the account's keys (not the address's).
public struct LoginThrottle: Sendable {
    public struct Policy: Sendable {
        let free: Int
        let firstDelaySeconds: Int
        let maxDelaySeconds: Int
    }

    public static let pair = Policy(free: 5, firstDelaySeconds: 30, maxDelaySeconds: 15 * 60)
    public static let account = Policy(free: 20, firstDelaySeconds: 5, maxDelaySeconds: 30)
    public static let address = Policy(free: 30, firstDelaySeconds: 30, maxDelaySeconds: 15 * 60)
    /// A key left alone this long starts again from zero.
    public static let forgetAfterSeconds = 3600
    /// How long a successful sign-in vouches for its address and its device.
    public static let trustDays = 90

    /// One account's attempt: who, from where, and the device token the browser showed.
    public struct Attempt: Sendable {
        let account: String
        let address: String
        let deviceHash: String?

        /// Accounts are named by organisation (none for platform administrators) and normalised email.
        public init(organisation: String?, email: String, address: String, device: String? = nil) {
            account = "\(organisation ?? "-")|\(email)"
            self.address = address
            deviceHash = device.flatMap { $0.isEmpty || $0.utf8.count > 100 ? nil : Encoding.sha256Hex($0) }
        }

        var pairKey: String { "pair|\(address)|\(account)" }
        var accountKey: String { "account|\(account)" }
        var addressKey: String { "address|\(address)" }
        var knownKey: String { "\(address)|\(account)" }
        func deviceKey(_ hash: String) -> String { "device|\(hash)|\(account)" }
    }

    let pool: PostgresPool
    let platform: SchemaName

    public init(pool: PostgresPool, platform: SchemaName) {
        self.pool = pool
        self.platform = platform
    }

    /// How an attempt was counted.
    public struct Counted: Sendable {
        /// The device token the browser showed was given to this account before.
        let knownDevice: Bool
        /// The attempt counted against the address (so a success gives that count back).
        let countedAddress: Bool
    }

    /// Counts the attempt, or throws `throttled` (counting nothing) while any key must wait.
    @discardableResult
    public func attempt(_ attempt: Attempt) async throws -> Counted {
        let (wait, counted) = try await count(attempt)
        if wait > 0 { throw LuotsiError.throttled }
        return counted
    }

    /// Counts the attempt and returns 0, or returns the seconds to wait (counting nothing).
    func wait(_ attempt: Attempt) async throws -> Double { try await count(attempt).wait }

    private func count(_ attempt: Attempt) async throws -> (wait: Double, counted: Counted) {
        let trust = try await pool.query(
            """
            SELECT EXISTS (SELECT 1 FROM \(schema: platform).login_devices
                           WHERE token_hash = \(attempt.deviceHash ?? "") AND account = \(attempt.account)
                             AND last_at > now() - make_interval(days => \(Int32(Self.trustDays)))) AS device,
                   EXISTS (SELECT 1 FROM \(schema: platform).login_known
                           WHERE key = \(attempt.knownKey) AND last_at > now() - make_interval(days => \(Int32(Self.trustDays)))) AS known
            """
        ).one()
        let keys: [(key: String, policy: Policy)]
        let device = try trust.decode("device", as: Bool.self)
        if let hash = attempt.deviceHash, device {
            keys = [(attempt.deviceKey(hash), Self.pair), (attempt.accountKey, Self.account)]
        } else if try trust.decode("known", as: Bool.self) {
            keys = [(attempt.pairKey, Self.pair), (attempt.accountKey, Self.account)]
        } else {
            keys = [(attempt.pairKey, Self.pair), (attempt.accountKey, Self.account), (attempt.addressKey, Self.address)]
        }
        let outcome = Counted(knownDevice: device, countedAddress: keys.contains { $0.key == attempt.addressKey })
        return (try await counted(keys), outcome)
    }

    /// Counts one attempt against `keys` (the throttle's SQL function), or returns the wait.
    private func counted(_ keys: [(key: String, policy: Policy)]) async throws -> Double {
        try await pool.query(
            """
            SELECT extract(epoch FROM \(schema: platform).login_throttle_attempt(
                \(keys.map(\.key)), \(keys.map { String($0.policy.free) })::int4[],
                \(keys.map { "\($0.policy.firstDelaySeconds) seconds" })::interval[], \(keys.map { "\($0.policy.maxDelaySeconds) seconds" })::interval[],
                \("\(Self.forgetAfterSeconds) seconds")::interval)
            )::float8 AS wait
            """
        ).one().decode("wait")
    }

    /// After a successful sign-in the account's counts start again, the address's count takes
    /// back this attempt if it counted it (only failures add up there), the address is
    /// remembered for the account, and the browser's device token (`device`, when a browser is to
    /// keep one) is vouched for.
    public func succeeded(_ attempt: Attempt, _ counted: Counted, device: String?) async throws {
        let deviceKeys = attempt.deviceHash.map { [attempt.deviceKey($0)] } ?? []
        let cleared = [attempt.pairKey, attempt.accountKey] + deviceKeys
        var statements: [SQL] = [
            """
            WITH cleared AS (DELETE FROM \(schema: platform).login_throttle WHERE key = ANY(\(cleared)))
            UPDATE \(schema: platform).login_throttle SET failures = greatest(failures - 1, 0)
            WHERE key = \(attempt.addressKey) AND \(counted.countedAddress)
            """,
            """
            INSERT INTO \(schema: platform).login_known (key, last_at) VALUES (\(attempt.knownKey), now())
            ON CONFLICT (key) DO UPDATE SET last_at = now()
            """,
        ]
        if let device {
            statements.append(
                """
                INSERT INTO \(schema: platform).login_devices (token_hash, account, last_at)
                VALUES (\(Encoding.sha256Hex(device)), \(attempt.account), now())
                ON CONFLICT (token_hash, account) DO UPDATE SET last_at = now()
                """)
        }
        _ = try await pool.withConnection { try await $0.pipeline(statements) }
        // Forget what no longer vouches for anything now and then, so the tables stay small.
        if Int.random(in: 0..<100) == 0 {
            let days = Int32(Self.trustDays)
            let pruning: [SQL] = [
                "DELETE FROM \(schema: platform).login_known WHERE last_at < now() - make_interval(days => \(days))",
                "DELETE FROM \(schema: platform).login_devices WHERE last_at < now() - make_interval(days => \(days))",
            ]
            _ = try await pool.withConnection { try await $0.pipeline(pruning) }
        }
    }

    /// A proof asked of someone already signed in (the current password before changing it, the
    /// password before turning the second factor off): counted per account like a sign-in
    /// (5 free, then waits from 30 seconds up to 15 minutes), so a stolen session cannot be used
    /// to guess the password at bcrypt's speed.
    public func reauthentication(account: String) async throws {
        if try await counted([("reauth|\(account)", Self.pair)]) > 0 { throw LuotsiError.throttled }
    }

    /// The proof held: the count starts again.
    public func reauthenticated(account: String) async throws {
        try await pool.query("DELETE FROM \(schema: platform).login_throttle WHERE key = \("reauth|\(account)")")
    }
}

extension Identity {
    /// The account as the throttle names it (`LoginThrottle.Attempt`).
    var throttleAccount: String {
        switch self {
        case .member(let member): "\(member.organisation.slug)|\(member.email)"
        case .platformAdmin(let admin): "-|\(admin.email)"
        }
    }
}
