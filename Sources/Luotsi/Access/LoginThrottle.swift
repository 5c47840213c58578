import Foundation
import Synchronization

/// Slows password guessing: after `limit` failed sign-ins for one account within `window`,
/// further attempts are refused (429) until the window has passed. In memory, per process.
public final class LoginThrottle: Sendable {
    private let failures = Mutex([String: [ContinuousClock.Instant]]())
    let limit: Int
    let window: Duration

    public init(limit: Int = 5, window: Duration = .seconds(15 * 60)) {
        self.limit = limit
        self.window = window
    }

    /// Throws `throttled` when the account has had too many recent failures.
    public func check(_ key: String) throws {
        let now = ContinuousClock.now
        let blocked = failures.withLock { state -> Bool in
            let recent = (state[key] ?? []).filter { now - $0 < window }
            state[key] = recent.isEmpty ? nil : recent
            return recent.count >= limit
        }
        if blocked { throw LuotsiError.throttled }
    }

    public func recordFailure(_ key: String) {
        let now = ContinuousClock.now
        failures.withLock { state in
            state[key, default: []].append(now)
            if state.count > 100_000 { state.removeAll() }  // bound memory under a flood
        }
    }

    public func recordSuccess(_ key: String) {
        failures.withLock { _ = $0.removeValue(forKey: key) }
    }
}
