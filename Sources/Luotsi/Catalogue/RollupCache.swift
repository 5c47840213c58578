import Foundation

/// Keeps the national roll-up's adoptions for `maxAge`, so that reading the roll-up costs one
/// pass over every organisation at most that often, however many times it is asked for; callers
/// that arrive while a pass runs wait for that pass instead of starting their own.
public actor RollupCache {
    let maxAge: Duration
    private let load: @Sendable () async throws -> NationalRollup.Adoptions
    private var kept: (at: ContinuousClock.Instant, adoptions: NationalRollup.Adoptions)?
    private var running: Task<NationalRollup.Adoptions, any Error>?

    init(maxAge: Duration, load: @escaping @Sendable () async throws -> NationalRollup.Adoptions) {
        self.maxAge = maxAge
        self.load = load
    }

    func adoptions() async throws -> NationalRollup.Adoptions {
        if let kept, ContinuousClock.now - kept.at < maxAge { return kept.adoptions }
        if let running { return try await running.value }
        let task = Task { try await load() }
        running = task
        defer { running = nil }
        let adoptions = try await task.value
        kept = (ContinuousClock.now, adoptions)
        return adoptions
    }
}
