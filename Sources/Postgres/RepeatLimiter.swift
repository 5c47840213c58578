import Foundation
import Synchronization

/// Keeps an outage from flooding the log: the first line of a kind is written, repeats of it
/// within `window` are only counted, and the next line of that kind after the window says how
/// many were left out. (Measured before: a 2-second outage wrote 27,000 error lines.)
public final class RepeatLimiter: Sendable {
    private struct Entry {
        var windowStart: ContinuousClock.Instant
        var suppressed: Int
    }

    private let entries = Mutex([String: Entry]())
    let window: Duration

    public init(window: Duration = .seconds(5)) { self.window = window }

    /// `nil` when this line should be left out; else how many like it were left out before it.
    public func admit(_ key: String) -> Int? {
        let now = ContinuousClock.now
        return entries.withLock { state -> Int? in
            if var entry = state[key], now - entry.windowStart < window {
                entry.suppressed += 1
                state[key] = entry
                return nil
            }
            let left = state[key]?.suppressed ?? 0
            if state.count > 1_000 { state.removeAll() }  // bounded whatever the keys
            state[key] = Entry(windowStart: now, suppressed: 0)
            return left
        }
    }
}
