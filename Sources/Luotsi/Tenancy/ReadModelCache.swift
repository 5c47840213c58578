import Dispatch
import Metrics
import Synchronization

/// Each organisation's read models, kept in this instance between requests and served while
/// nothing in the organisation has changed since they were read.
///
/// Every entry carries the organisation's data version it was read at, read in the same round
/// trip ahead of the model's own statements, so the model is at least that new. An entry is
/// served only while it is at the newest version this instance knows of. The instance learns of
/// newer versions from its own writes, at once, and of everyone else's from NOTIFY on
/// `luotsi_data`, within milliseconds. A client that wrote through another instance carries its
/// write's version (`DataVersionToken`) and never gets an entry older than that.
///
/// The cache serves only while the listener is connected, because notifications sent while it
/// was away are lost; a reconnect starts afresh. Entries also end after `maxAge`, for the models
/// that depend on the clock (check-ins due, overdue tasks). Memory is bounded by
/// `capacityBytes`, estimated per entry (`ApproximateSize`): the least recently used go first.
public final class ReadModelCache: Sendable {
    /// The channel the data version is announced on (`sql/tenant/009_data_version.sql`).
    public static let channel = "luotsi_data"
    /// 0 turns the cache off.
    public let capacityBytes: Int
    public let maxAge: Duration
    private let state = Mutex(State())

    public init(capacityBytes: Int = 64 << 20, maxAge: Duration = .seconds(60)) {
        self.capacityBytes = max(0, capacityBytes)
        self.maxAge = maxAge
        Self.capacityGauge.record(self.capacityBytes)
    }

    /// One read model of one organisation: `read` names the model and everything it depends on
    /// besides the organisation's data (its parameters), e.g. `goals.list|status=idea|page=0`.
    struct Key: Hashable, Sendable {
        let schema: SchemaName
        /// The database role reading, when not the organisation's own (a test's).
        let role: SchemaName?
        let read: String
    }

    /// What the cache knew when a read started; a read that outlived a reconnect is not stored.
    struct Ticket: Sendable {
        fileprivate let epoch: UInt64
    }

    enum Lookup<Model: Sendable>: Sendable {
        case hit(Model)
        /// Read it, then `store` it with this ticket; nil: read it, and keep nothing.
        case miss(Ticket?)
    }

    private struct Entry {
        let value: any Sendable
        let version: Int64
        let bytes: Int
        let expires: UInt64
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var keysBySchema: [SchemaName: Set<Key>] = [:]
        /// The newest data version this instance knows of, per organisation.
        var known: [SchemaName: Int64] = [:]
        var bytes = 0
        var epoch: UInt64 = 0
        var listening = false
        var tick: UInt64 = 0
    }

    /// The entry for `key` if it is current and at least `floor`, or a ticket to read it.
    func lookup<Model: Sendable>(_ key: Key, as type: Model.Type, floor: Int64?) -> Lookup<Model> {
        guard capacityBytes > 0 else { return .miss(nil) }
        let now = Self.now()
        let found: Lookup<Model> = state.withLock { state in
            guard state.listening else { return .miss(nil) }
            let ticket = Ticket(epoch: state.epoch)
            guard var entry = state.entries[key] else { return .miss(ticket) }
            guard entry.version == state.known[key.schema], entry.expires > now, let value = entry.value as? Model else {
                Self.remove(key, from: &state)
                return .miss(ticket)
            }
            // Behind what the client has seen: read afresh, but the entry is still current here.
            if let floor, entry.version < floor { return .miss(ticket) }
            state.tick += 1
            entry.lastUsed = state.tick
            state.entries[key] = entry
            return .hit(value)
        }
        switch found {
        case .hit: Self.hits.increment()
        case .miss(let ticket): (ticket == nil ? Self.bypassed : Self.misses).increment()
        }
        return found
    }

    /// Keeps a model read at `version` with the ticket its lookup gave, unless something newer
    /// is known by now (then it was stale on arrival) or it would take over an eighth of the cache.
    func store<Model: Sendable>(_ value: Model, at version: Int64, for key: Key, ticket: Ticket) {
        let bytes = ApproximateSize.of(value) + key.read.utf8.count + Self.entryOverhead
        guard bytes <= capacityBytes / 8 else { return }
        let expires = Self.now() + UInt64(max(0, maxAge.components.seconds)) * 1_000_000_000
        let figures: (Int, Int)? = state.withLock { state in
            guard state.listening, state.epoch == ticket.epoch else { return nil }
            let known = state.known[key.schema] ?? 0
            guard version >= known else { return nil }
            if version > known { Self.advance(&state, key.schema, to: version) }
            Self.remove(key, from: &state)
            state.tick += 1
            state.entries[key] = Entry(value: value, version: version, bytes: bytes, expires: expires, lastUsed: state.tick)
            state.keysBySchema[key.schema, default: []].insert(key)
            state.bytes += bytes
            if state.bytes > capacityBytes { Self.evict(&state, downTo: capacityBytes / 10 * 9) }
            return (state.bytes, state.entries.count)
        }
        if let (bytes, count) = figures { Self.publish(bytes: bytes, entries: count) }
    }

    /// A version this instance learnt of: its own write's, or another writer's by notification.
    /// The organisation's older entries go at once.
    func observe(_ schema: SchemaName, version: Int64) {
        let figures: (Int, Int)? = state.withLock { state in
            guard version > state.known[schema] ?? 0 else { return nil }
            Self.advance(&state, schema, to: version)
            return (state.bytes, state.entries.count)
        }
        if let (bytes, count) = figures { Self.publish(bytes: bytes, entries: count) }
    }

    /// A notification's payload: `<schema>:<version>`, or `*` when something every
    /// organisation's models show changed (a catalogue version was published); anything else is
    /// ignored.
    func receive(_ payload: String) {
        if payload == "*" {
            reset(listening: state.withLock { $0.listening })
            return
        }
        guard let colon = payload.lastIndex(of: ":"), let schema = SchemaName(String(payload[..<colon])),
            let version = Int64(payload[payload.index(after: colon)...])
        else { return }
        observe(schema, version: version)
    }

    /// The listener (re)started: whatever was announced while it was away is lost, so start afresh.
    func listeningStarted() { reset(listening: true) }

    /// The listener lost its connection: serve nothing from the cache until it is back.
    func listeningStopped() { reset(listening: false) }

    /// Whether the cache is serving (the listener is connected and the capacity is not 0).
    public var isServing: Bool { capacityBytes > 0 && state.withLock { $0.listening } }

    /// The estimated bytes held and the number of entries.
    public var figures: (bytes: Int, entries: Int) { state.withLock { ($0.bytes, $0.entries.count) } }

    private func reset(listening: Bool) {
        state.withLock { state in
            state = State(epoch: state.epoch + 1, listening: listening, tick: state.tick)
        }
        Self.publish(bytes: 0, entries: 0)
    }

    private static func advance(_ state: inout State, _ schema: SchemaName, to version: Int64) {
        state.known[schema] = version
        for key in state.keysBySchema[schema] ?? [] where (state.entries[key]?.version ?? 0) < version {
            remove(key, from: &state)
        }
    }

    private static func remove(_ key: Key, from state: inout State) {
        guard let entry = state.entries.removeValue(forKey: key) else { return }
        state.bytes -= entry.bytes
        state.keysBySchema[key.schema]?.remove(key)
        if state.keysBySchema[key.schema]?.isEmpty == true { state.keysBySchema[key.schema] = nil }
    }

    /// Drops the least recently used entries until `limit` bytes remain.
    private static func evict(_ state: inout State, downTo limit: Int) {
        let oldestFirst = state.entries.sorted { $0.value.lastUsed < $1.value.lastUsed }.map(\.key)
        var evicted = 0
        for key in oldestFirst where state.bytes > limit {
            remove(key, from: &state)
            evicted += 1
        }
        evictions.increment(by: evicted)
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private static func publish(bytes: Int, entries: Int) {
        bytesGauge.record(bytes)
        entriesGauge.record(entries)
    }

    /// The dictionary's and the set's share of an entry, besides the model and its key.
    private static let entryOverhead = 160

    static let hits = Counter(label: "luotsi_read_cache_lookups_total", dimensions: [("result", "hit")])
    static let misses = Counter(label: "luotsi_read_cache_lookups_total", dimensions: [("result", "miss")])
    /// Lookups while the cache is off or the listener away.
    static let bypassed = Counter(label: "luotsi_read_cache_lookups_total", dimensions: [("result", "bypassed")])
    static let evictions = Counter(label: "luotsi_read_cache_evictions_total")
    static let bytesGauge = Gauge(label: "luotsi_read_cache_bytes")
    static let entriesGauge = Gauge(label: "luotsi_read_cache_entries")
    static let capacityGauge = Gauge(label: "luotsi_read_cache_capacity_bytes")
}
