import Foundation
import Postgres

/// Slows password guessing, in PostgreSQL so that every instance counts the same attempts
/// (`sql/platform/004_login_throttle.sql`). Each attempt is counted before the password is
/// checked, against three keys:
/// - the account at this address: 5 free attempts, then waits doubling from 30 seconds up to
///   15 minutes;
/// - the account from anywhere: 20 free, then waits from 5 up to 30 seconds — a stranger can
///   slow a colleague's sign-in down, never lock them out;
/// - the address: 30 free, then from 30 seconds up to 15 minutes — one address spraying many
///   accounts slows down.
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

    let pool: PostgresPool
    let platform: SchemaName

    public init(pool: PostgresPool, platform: SchemaName) {
        self.pool = pool
        self.platform = platform
    }

    /// The keys of one attempt. Accounts are named by organisation and normalised email.
    static func keys(organisation: String?, email: String, address: String) -> [(key: String, policy: Policy)] {
        let name = "\(organisation ?? "-")|\(email)"
        return [("pair|\(address)|\(name)", Self.pair), ("account|\(name)", Self.account), ("address|\(address)", Self.address)]
    }

    /// Counts the attempt, or throws `throttled` (counting nothing) while any key must wait.
    public func attempt(organisation: String?, email: String, address: String) async throws {
        if try await wait(organisation: organisation, email: email, address: address) > 0 { throw LuotsiError.throttled }
    }

    /// Counts the attempt and returns 0, or returns the seconds to wait (counting nothing).
    func wait(organisation: String?, email: String, address: String) async throws -> Double {
        let keys = Self.keys(organisation: organisation, email: email, address: address)
        return try await pool.query(
            """
            SELECT extract(epoch FROM \(schema: platform).login_throttle_attempt(
                \(keys.map(\.key)), \(keys.map { String($0.policy.free) })::int4[],
                \(keys.map { "\($0.policy.firstDelaySeconds) seconds" })::interval[], \(keys.map { "\($0.policy.maxDelaySeconds) seconds" })::interval[],
                \("\(Self.forgetAfterSeconds) seconds")::interval)
            )::float8 AS wait
            """)[0].decode("wait")
    }

    /// After a successful sign-in the account's counts start again, and the address's count
    /// takes back this attempt (only failures add up there).
    public func succeeded(organisation: String?, email: String, address: String) async throws {
        let keys = Self.keys(organisation: organisation, email: email, address: address).map(\.key)
        try await pool.query(
            """
            WITH cleared AS (DELETE FROM \(schema: platform).login_throttle WHERE key = ANY(\(Array(keys.prefix(2)))))
            UPDATE \(schema: platform).login_throttle SET failures = greatest(failures - 1, 0) WHERE key = \(keys[2])
            """)
    }
}
