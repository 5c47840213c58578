import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A bounded pool of PostgreSQL connections.
///
/// Waiters queue in order and give up after `acquireTimeout` with a `poolExhausted` error.
/// Broken connections are dropped on return and replaced on demand; idle connections are checked
/// (without a round trip) before they are handed out. As a `Service`, it closes on shutdown.
public final class PostgresPool: Sendable, Service {
    /// Connection failures repeat for every request during an outage; the log gets one a kind.
    static let connectFailures = RepeatLimiter()
    public struct Configuration: Sendable {
        /// A libpq conninfo string or URI; empty means the `PG*` environment variables.
        public var conninfo: String
        public var maxConnections: Int
        public var acquireTimeout: Duration
        /// Named prepared statements kept per connection (`PreparedStatementCache`); 0 for none,
        /// which PgBouncer's transaction pooling needs before version 1.21.
        public var preparedStatements: Int

        public init(conninfo: String, maxConnections: Int = 8, acquireTimeout: Duration = .seconds(10), preparedStatements: Int = 0) {
            self.conninfo = conninfo
            self.maxConnections = max(1, maxConnections)
            self.acquireTimeout = acquireTimeout
            self.preparedStatements = max(0, preparedStatements)
        }
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<PostgresConnection, any Error>
        /// `now()` after which the waiter gives up.
        var deadline: Int64 = .max
        /// The connection affinity it prefers (see `affinity(for:)`), if any.
        var preference: Int?
        /// How often a waiter behind it was given a connection first (see `release`).
        var overtaken = 0
    }

    /// A waiter may be passed over this often by later ones that prefer the connection just
    /// freed; after that it is served first. Without a bound the front of the queue could wait
    /// for as long as later waiters keep preferring what is freed, which lengthens the tail.
    static let maxOvertaking = 2

    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var closed = false
        /// A sweeper expires overdue waiters while any wait (one task, not a timer per waiter).
        var sweeping = false
        /// How many open (or opening) connections hold each affinity.
        var affinities: [Int: Int] = [:]
    }

    /// What to do outside the lock after a state change.
    private enum Handoff {
        case none
        case give(PostgresConnection, to: Waiter)
        case connect(for: Waiter, affinity: Int)
        case close(PostgresConnection)
    }

    public let configuration: Configuration
    private let state = Mutex(State())
    private let metrics: PostgresPoolMetrics
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger = Logger(label: "postgres.pool"), metricsPrefix: String = "postgres_pool") {
        self.configuration = configuration
        self.logger = logger
        self.metrics = PostgresPoolMetrics(prefix: metricsPrefix)
    }

    /// The pools whose connection the current task (or the task it is a child of) holds.
    @TaskLocal static var held: Set<ObjectIdentifier> = []

    /// Refuses a second connection to a task that holds one already. With a pool of 8, eight
    /// requests that each hold one and wait for another wait for ever (until the acquire timeout):
    /// that is how the pages collapsed at 64 connections (issue 17). Refusing at once turns the
    /// deadlock under load into an error every test meets without any load.
    private func refuseNested() throws {
        guard Self.held.contains(ObjectIdentifier(self)) else { return }
        throw PostgresError(
            kind: .nestedAcquisition,
            message:
                "a task that holds a connection of this pool asked for another; read what it needs before or after, or pass the connection on"
        )
    }

    /// Runs `body` with this pool marked as held by the current task.
    private func holding<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await Self.$held.withValue(Self.held.union([ObjectIdentifier(self)])) { try await body() }
    }

    /// Lends a connection to `body` and takes it back afterwards.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try refuseNested()
        let connection = try await lease()
        do {
            let value = try await holding { try await body(connection) }
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection: commit on return, rollback on throw.
    ///
    /// `BEGIN` and `prelude` (e.g. a tenant switch) travel with the body's first round trip. If
    /// that round trip fails before anything of the body's took effect (a dead connection, or a
    /// refused prelude that `retryPrelude` accepts), the body starts again on another connection.
    /// A body that sends nothing costs no round trip at all.
    public func withTransaction<T: Sendable>(
        prelude: [SQL] = [], affinity: String? = nil, retryPrelude: (PostgresError, PostgresConnection) -> Bool = { _, _ in false },
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withPrelude(prelude, transaction: true, affinity: affinity, retryPrelude: retryPrelude, body).value
    }

    /// As `withTransaction`, and sends `closing` in the round trip of `COMMIT`, as the
    /// transaction's last statement: its rows come back with the value (nil when the body sent
    /// nothing, so that there was no transaction to close).
    public func withTransaction<T: Sendable>(
        prelude: [SQL] = [], affinity: String? = nil, retryPrelude: (PostgresError, PostgresConnection) -> Bool = { _, _ in false },
        closingWith closing: SQL, _ body: (PostgresConnection) async throws -> T
    ) async throws -> (value: T, closing: PostgresRows?) {
        try await withPrelude(prelude, transaction: true, closing: closing, affinity: affinity, retryPrelude: retryPrelude, body)
    }

    /// Runs `body` on a pooled connection that sends `prelude` ahead of every round trip, each
    /// round trip being its own implicit transaction: for reads, whose round trips are
    /// independent. Retried on another connection like `withTransaction`'s.
    public func withEveryRoundTrip<T: Sendable>(
        prelude: [SQL], affinity: String? = nil, retryPrelude: (PostgresError, PostgresConnection) -> Bool = { _, _ in false },
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withPrelude(prelude, transaction: false, affinity: affinity, retryPrelude: retryPrelude, body).value
    }

    /// `transaction`: `BEGIN` + `prelude` once, then `COMMIT` or `ROLLBACK`; otherwise `prelude`
    /// ahead of every round trip.
    private func withPrelude<T: Sendable>(
        _ prelude: [SQL], transaction: Bool, closing: SQL? = nil, affinity: String?,
        retryPrelude: (PostgresError, PostgresConnection) -> Bool, _ body: (PostgresConnection) async throws -> T
    ) async throws -> (value: T, closing: PostgresRows?) {
        try refuseNested()
        var attempts = 0
        while true {
            attempts += 1
            let connection = try await lease(trustRecent: true, affinity: affinity)
            connection.setPrelude(transaction ? ["BEGIN"] + prelude : prelude, repeating: !transaction)
            // `clearPrelude()` is true when nothing reached the server: then nothing is open either.
            do {
                let value = try await holding { try await body(connection) }
                var closed: PostgresRows?
                if !connection.clearPrelude(), transaction {
                    if let closing {
                        closed = try await connection.pipeline([closing, "COMMIT"]).first
                    } else {
                        try await connection.query("COMMIT")
                    }
                }
                await release(connection)
                return (value, closed)
            } catch let failure as PostgresPreludeFailure {
                if !connection.clearPrelude(), transaction { _ = try? await connection.query("ROLLBACK") }
                await release(connection)
                let retry = failure.error.isConnectionFailure || retryPrelude(failure.error, connection)
                guard retry, attempts <= configuration.maxConnections else { throw failure.error }
            } catch {
                if !connection.clearPrelude(), transaction { _ = try? await connection.query("ROLLBACK") }
                await release(connection)
                throw error
            }
        }
    }

    /// Runs one statement on a pooled connection (in its own implicit transaction).
    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql) }
    }

    /// Current figures: open connections, idle ones, queued waiters.
    public var statistics: (open: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.open, $0.idle.count, $0.waiters.count) }
    }

    /// Closes idle connections and fails waiters; connections in use close when returned.
    public func close() async {
        let (idle, waiters) = state.withLock { state -> ([PostgresConnection], [Waiter]) in
            state.closed = true
            let idle = state.idle
            let waiters = state.waiters
            state.open -= idle.count
            state.idle = []
            state.waiters = []
            return (idle, waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .poolClosed, message: "the pool was shut down"))
        }
        for connection in idle { await connection.close() }
        publishFigures()
    }

    /// Service entry point: waits for graceful shutdown, then closes the pool.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
        logger.info("database pool closed")
    }

    // MARK: - Leasing

    /// A connection idle this long is checked before it is lent; a fresher one is trusted, and
    /// a transaction that meets a dead one anyway starts again elsewhere (`withTransaction`).
    static let idleBeforeCheck: Duration = .seconds(5)

    /// `trustRecent`: for work that starts again elsewhere when its first round trip meets a
    /// dead connection; everything else gets a checked one.
    /// `affinity`: a key (e.g. a tenant) whose work should go to the same connection when it is free.
    func lease(trustRecent: Bool = false, affinity key: String? = nil) async throws -> PostgresConnection {
        let started = ContinuousClock.now
        let preference = key.map { affinity(for: $0) }
        while true {
            let connection = try await acquire(preferring: preference)
            let releasedAt = connection.releasedAt.load(ordering: .relaxed)
            if trustRecent, releasedAt != 0, Duration.nanoseconds(PostgresPool.now() - releasedAt) < PostgresPool.idleBeforeCheck {
                metrics.acquireTime.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
                return connection
            }
            if await connection.checkAlive() {
                metrics.acquireTime.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
                return connection
            }
            logger.notice("dropping a dead pooled connection", metadata: ["pid": "\(connection.backendPID)"])
            await discard(connection)
        }
    }

    private func acquire(preferring preference: Int?) async throws -> PostgresConnection {
        try await withCheckedThrowingContinuation { continuation in
            let handoff = state.withLock { state -> Handoff? in
                if state.closed { return nil }
                let waiter = Waiter(id: state.nextWaiterID, continuation: continuation, preference: preference)
                state.nextWaiterID += 1
                if let preference, let index = state.idle.lastIndex(where: { $0.affinity == preference }) {
                    return .give(state.idle.remove(at: index), to: waiter)
                }
                if let connection = state.idle.popLast() { return .give(connection, to: waiter) }
                if state.open < configuration.maxConnections {
                    state.open += 1
                    return .connect(for: waiter, affinity: Self.takeAffinity(&state, size: configuration.maxConnections))
                }
                var queued = waiter
                queued.deadline = PostgresPool.now() + configuration.acquireTimeout.nanoseconds
                state.waiters.append(queued)
                if !state.sweeping {
                    state.sweeping = true
                    startSweeper()
                }
                return Handoff.none
            }
            guard let handoff else {
                continuation.resume(throwing: PostgresError(kind: .poolClosed, message: "the pool is shut down"))
                return
            }
            perform(handoff)
        }
    }

    /// Monotonic nanoseconds, for idle times and deadlines.
    static func now() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }

    private func startSweeper() {
        let timeout = configuration.acquireTimeout
        Task { [self] in
            while true {
                try? await Task.sleep(for: .milliseconds(50))
                let now = PostgresPool.now()
                let (expired, done) = state.withLock { state -> ([Waiter], Bool) in
                    let expired = state.waiters.filter { $0.deadline <= now }
                    if !expired.isEmpty { state.waiters.removeAll { $0.deadline <= now } }
                    if state.waiters.isEmpty { state.sweeping = false }
                    return (expired, !state.sweeping)
                }
                for waiter in expired {
                    metrics.timeouts.increment()
                    waiter.continuation.resume(
                        throwing: PostgresError(
                            kind: .poolExhausted,
                            message: "no database connection became free within \(timeout) (pool size \(configuration.maxConnections))"))
                }
                if !expired.isEmpty { publishFigures() }
                if done { return }
            }
        }
    }

    /// Takes a connection back: to the next waiter, to the idle list, or closed if unfit.
    func release(_ connection: PostgresConnection) async {
        if connection.isReusable() {
            connection.releasedAt.store(PostgresPool.now(), ordering: .relaxed)
            let handoff = state.withLock { state -> Handoff in
                if state.closed {
                    state.open -= 1
                    return .close(connection)
                }
                if !state.waiters.isEmpty {
                    // A waiter near the front that prefers this connection goes first; the
                    // front one is served by the next connection that nobody there prefers, or
                    // once it has been passed over `maxOvertaking` times.
                    let front = state.waiters.startIndex
                    var index = front
                    if state.waiters[front].overtaken < Self.maxOvertaking,
                        let preferring = state.waiters.prefix(8).firstIndex(where: { $0.preference == connection.affinity })
                    {
                        index = preferring
                    }
                    for passed in front..<index { state.waiters[passed].overtaken += 1 }
                    return .give(connection, to: state.waiters.remove(at: index))
                }
                state.idle.append(connection)
                return .none
            }
            perform(handoff)
        } else {
            await discard(connection)
        }
    }

    /// Closes a broken connection and lets the next waiter open a fresh one in its place.
    private func discard(_ connection: PostgresConnection) async {
        metrics.replaced.increment()
        let handoff = state.withLock { state -> Handoff in
            state.open -= 1
            Self.releaseAffinity(&state, connection.affinity)
            if !state.closed, !state.waiters.isEmpty {
                state.open += 1
                return .connect(for: state.waiters.removeFirst(), affinity: Self.takeAffinity(&state, size: configuration.maxConnections))
            }
            return .none
        }
        await connection.close()
        perform(handoff)
    }

    private func perform(_ handoff: Handoff) {
        switch handoff {
        case .none: break
        case .give(let connection, let waiter):
            waiter.continuation.resume(returning: connection)
        case .connect(let waiter, let affinity):
            openConnection(for: waiter, affinity: affinity)
        case .close(let connection):
            Task { await connection.close() }
        }
        publishFigures()
    }

    private func openConnection(for waiter: Waiter, affinity: Int) {
        let conninfo = configuration.conninfo
        let preparedStatements = configuration.preparedStatements
        Task {
            do {
                let connection = try await PostgresConnection.connect(
                    conninfo: conninfo, label: "postgres.pool", preparedStatements: preparedStatements)
                connection.affinity = affinity
                metrics.opened.increment()
                waiter.continuation.resume(returning: connection)
            } catch {
                state.withLock { state in
                    state.open -= 1
                    Self.releaseAffinity(&state, affinity)
                }
                publishFigures()
                if let left = PostgresPool.connectFailures.admit("\(error)") {
                    logger.error("could not open a database connection", metadata: ["error": "\(error)", "similar_left_out": "\(left)"])
                }
                waiter.continuation.resume(throwing: error)
            }
        }
    }

    /// The affinity a key maps to: one of `0..<maxConnections`, stable for the process.
    func affinity(for key: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: cheap, and stable unlike `hashValue`
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int(hash % UInt64(configuration.maxConnections))
    }

    /// The least held affinity, so that open connections cover as many as they can.
    private static func takeAffinity(_ state: inout State, size: Int) -> Int {
        let chosen = (0..<size).min { state.affinities[$0, default: 0] < state.affinities[$1, default: 0] } ?? 0
        state.affinities[chosen, default: 0] += 1
        return chosen
    }

    private static func releaseAffinity(_ state: inout State, _ affinity: Int) {
        state.affinities[affinity, default: 1] -= 1
    }

    private func publishFigures() {
        let (open, idle, waiting) = statistics
        metrics.open.record(open)
        metrics.idle.record(idle)
        metrics.inUse.record(open - idle)
        metrics.waiting.record(waiting)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
