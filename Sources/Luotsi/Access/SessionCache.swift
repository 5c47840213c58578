import Foundation
import Synchronization

/// The identities behind recently used sessions, so that a request with a known token costs no
/// database round trip.
///
/// What ends or changes a session, its organisation or its user reaches every instance at once:
/// the platform's triggers and the code that changes users send a notification
/// (`SessionStore.channel`), which `invalidate` applies. An entry is still read again from the
/// database after `freshFor`, so a notification lost while the listener reconnected costs at
/// most that long, and the session's `last_seen_at` keeps being refreshed. The least recently
/// used entries go first when the cache is full.
final class SessionCache: Sendable {
    struct Entry: Sendable {
        let identity: Identity
        /// The session's absolute end, as stored.
        let expiresAt: Date
        let readAt: ContinuousClock.Instant
    }

    /// What a notification names.
    enum Target: Equatable, Sendable {
        case session(tokenHash: String)
        case user(UUID)
        case organisation(UUID)
        case everything
    }

    private struct Slot {
        var entry: Entry
        var lastUsed: UInt64
    }

    private struct State {
        var slots: [String: Slot] = [:]
        var clock: UInt64 = 0
        /// Bumped by every invalidation, so that a read that raced with one is not cached.
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Barrier notifications the listener has seen (`SessionStore.awaitNotificationsApplied`).
    let barriers = Mutex<Set<String>>([])
    let capacity: Int
    let freshFor: Duration

    init(capacity: Int = 100_000, freshFor: Duration = .seconds(60)) {
        self.capacity = max(1, capacity)
        self.freshFor = freshFor
    }

    /// The generation to hand back to `put` after reading from the database.
    var generation: UInt64 { state.withLock { $0.generation } }

    var count: Int { state.withLock { $0.slots.count } }

    /// The cached identity for a token hash, if fresh.
    func get(_ tokenHash: String) -> Identity? {
        let now = ContinuousClock.now
        let wallClock = Date()
        return state.withLock { state in
            guard let slot = state.slots[tokenHash] else { return nil }
            guard now - slot.entry.readAt < freshFor, slot.entry.expiresAt > wallClock else {
                state.slots[tokenHash] = nil
                return nil
            }
            state.clock += 1
            state.slots[tokenHash]?.lastUsed = state.clock
            return slot.entry.identity
        }
    }

    /// Caches what was read, unless something was invalidated since `generation` was taken.
    func put(_ tokenHash: String, _ entry: Entry, readAtGeneration generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.slots.count >= capacity, state.slots[tokenHash] == nil { Self.evictOldest(&state, keeping: capacity * 9 / 10) }
            state.clock += 1
            state.slots[tokenHash] = Slot(entry: entry, lastUsed: state.clock)
        }
    }

    func invalidate(_ target: Target) {
        state.withLock { state in
            state.generation += 1
            switch target {
            case .session(let hash): state.slots[hash] = nil
            case .user(let id): state.slots = state.slots.filter { $0.value.entry.identity.userID != id }
            case .organisation(let id): state.slots = state.slots.filter { $0.value.entry.identity.organisationID != id }
            case .everything: state.slots.removeAll()
            }
        }
    }

    /// Drops the least recently used entries down to `keeping` (amortised: a tenth at a time).
    private static func evictOldest(_ state: inout State, keeping: Int) {
        let surplus = state.slots.count - keeping
        guard surplus > 0 else { return }
        let oldest = state.slots.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(surplus).map(\.key)
        for key in oldest { state.slots[key] = nil }
    }

    /// Parses a notification's payload (`session:<hash>`, `user:<id>`, `organisation:<id>`).
    static func target(of payload: String) -> Target {
        guard let colon = payload.firstIndex(of: ":") else { return .everything }
        let kind = payload[..<colon]
        let value = String(payload[payload.index(after: colon)...])
        switch kind {
        case "session": return .session(tokenHash: value)
        case "user": return UUID(uuidString: value).map(Target.user) ?? .everything
        case "organisation": return UUID(uuidString: value).map(Target.organisation) ?? .everything
        default: return .everything
        }
    }
}
