/// The named prepared statements of one connection.
///
/// PostgreSQL parses and plans an unnamed statement on every execution; a named prepared
/// statement keeps its parse tree and one generic plan (connections that prepare set
/// `plan_cache_mode = force_generic_plan`, see `LibPQConnection.init`). In the benchmark's mix,
/// planning and parsing were a third of all CPU (BENCHMARKS.md).
///
/// PostgreSQL keeps a cached plan only while `search_path` is what it was when the statement was
/// prepared (otherwise it analyses and plans again), so the key holds the statement's *context*
/// (the tenant switch it runs after) as well as its text and parameter types: each
/// organisation's statements are prepared on their own, and run only under their own switch.
///
/// A statement is prepared the second time it is seen, so statements sent once (DDL, a
/// migration's look-ups) never are; only plannable statements are; past `capacity` the least
/// recently used go, and their names wait in `deallocations` for the connection to drop them.
///
/// Names carry a random prefix of their own per connection. Behind a pooler that moves a client
/// between server connections (PgBouncer's transaction pooling before 1.21), a name could
/// otherwise meet another client's statement of the same name; with the prefix it can only be
/// missing (SQLSTATE 26000), and then the connection stops preparing (`disable()`).
struct PreparedStatementCache {
    struct Key: Hashable {
        let context: String
        let text: String
        let types: [UInt32]
    }

    enum Use: Equatable {
        /// First sight, or not worth preparing: send it unnamed.
        case unnamed
        /// Prepare it under this name, then execute it.
        case prepare(String)
        /// Prepared before: execute it by name.
        case execute(String)
    }

    private struct Entry {
        var name: String?
        var lastUse: UInt64
    }

    /// The most statements kept prepared; first sightings are remembered up to the same number.
    let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var nextName = 0
    private let prefix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    private(set) var preparedCount = 0
    /// Set once the server lost a statement of ours: see the type's comment.
    private(set) var disabled = false
    /// Names evicted from the cache and still prepared on the server.
    private(set) var deallocations: [String] = []

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// How to send `key`'s statement now; `.prepare` counts it as prepared until `failed(_:)`.
    mutating func use(_ key: Key) -> Use {
        guard capacity > 0, !disabled, Self.isPlannable(key.text) else { return .unnamed }
        clock += 1
        if var entry = entries[key] {
            entry.lastUse = clock
            if let name = entry.name {
                entries[key] = entry
                return .execute(name)
            }
            nextName += 1
            let name = "luotsi_\(prefix)_\(nextName)"
            entry.name = name
            entries[key] = entry
            preparedCount += 1
            evictIfFull(keeping: key)
            return .prepare(name)
        }
        entries[key] = Entry(name: nil, lastUse: clock)
        evictIfFull(keeping: key)
        return .unnamed
    }

    /// The server did not prepare `key` (an error, or a pipeline aborted before it): it is not
    /// prepared, and it is tried again at its next sighting.
    mutating func failed(_ key: Key) {
        guard let entry = entries[key], entry.name != nil else { return }
        entries[key] = Entry(name: nil, lastUse: entry.lastUse)
        preparedCount -= 1
    }

    /// Forgets every statement: after PostgreSQL refused a cached plan whose result columns
    /// changed under it (a migration), all of them are dropped and prepared again when next seen.
    mutating func invalidateAll() {
        deallocations += entries.values.compactMap(\.name)
        entries.removeAll()
        preparedCount = 0
    }

    /// Stops preparing for good: the server lost a prepared statement of this connection, so
    /// something between (a transaction pooler) moves it between server connections.
    mutating func disable() {
        disabled = true
        entries.removeAll()
        preparedCount = 0
        deallocations.removeAll()
    }

    /// Called once the server has dropped the pending names.
    mutating func deallocated() { deallocations.removeAll() }

    /// Drops the least recently used (at least an eighth) once either bound is passed, so that
    /// eviction costs one sort per `capacity / 8` new statements, not one per statement.
    private mutating func evictIfFull(keeping current: Key) {
        guard preparedCount > capacity || entries.count > 2 * capacity else { return }
        let oldestFirst = entries.sorted { $0.value.lastUse < $1.value.lastUse }
        let atLeast = max(1, entries.count / 8)
        var removed = 0
        for (key, entry) in oldestFirst where key != current {
            if removed >= atLeast, preparedCount <= capacity, entries.count <= 2 * capacity { break }
            entries[key] = nil
            removed += 1
            if let name = entry.name {
                deallocations.append(name)
                preparedCount -= 1
            }
        }
    }

    /// Only statements that PostgreSQL plans gain from being prepared; `BEGIN`, `SET` or DDL do not.
    static func isPlannable(_ text: String) -> Bool {
        let head = text.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }.prefix(6)
        let word = String(decoding: head, as: UTF8.self).uppercased()
        return ["SELECT", "WITH ", "INSERT", "UPDATE", "DELETE"].contains { word.hasPrefix($0) }
    }
}
