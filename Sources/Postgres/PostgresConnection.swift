import Dispatch
import Foundation
import Metrics
import Synchronization

private struct Prelude {
    var statements: [SQL] = []
    var repeating = false
    /// Set when the prelude failed: nothing more is sent until the owner clears it, so that a
    /// caller who swallowed the error cannot go on outside its transaction or tenant.
    var failed: PostgresError?
    /// Names the switch in force for the statements that follow it (see `setPrelude`).
    var context = ""
}

/// An async handle on one PostgreSQL connection.
///
/// Every libpq call runs on this connection's own serial Dispatch queue and is bridged to
/// async/await, so no blocking call ever runs on a NIO event loop or in the cooperative pool.
/// A connection is used by one task at a time (the pool guarantees this for leased ones).
public final class PostgresConnection: @unchecked Sendable {
    // `raw` is used only on `queue` (its state is read elsewhere only by the connection's current
    // holder between jobs: `isReusable`); that confinement is what makes the class Sendable.
    private let raw: LibPQConnection
    private let queue: DispatchQueue
    /// The server process serving this connection (`pg_backend_pid()`).
    public let backendPID: Int32
    private let retired = Atomic<Bool>(false)
    private let prelude = Mutex(Prelude())
    /// Which work the pool prefers to give this connection (see `PostgresPool.affinity(for:)`);
    /// set once, before the connection is first lent.
    var affinity = 0
    /// Distinct tenants served, for recycling a backend whose caches grew past a bound.
    private let tenantsServed = Mutex(Set<String>())
    /// When the connection last went back to the pool (`PostgresPool.now()`); 0 before that.
    let releasedAt = Atomic<Int64>(0)

    private init(raw: LibPQConnection, queue: DispatchQueue) {
        self.raw = raw
        self.queue = queue
        self.backendPID = raw.backendPID
    }

    /// Opens a connection. `conninfo` as in `PostgresConfiguration`; `preparedStatements` as in
    /// `PostgresPool.Configuration`.
    public static func connect(conninfo: String, label: String = "postgres.connection", preparedStatements: Int = 0)
        async throws -> PostgresConnection
    {
        let queue = DispatchQueue(label: label)
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        PostgresConnection(
                            raw: try LibPQConnection(conninfo: conninfo, preparedStatements: preparedStatements), queue: queue)
                    })
            }
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        // `pipeline` answers one result per statement (or throws): index 0 of one is always there.
        try await pipeline([sql])[0]
    }

    /// Runs statements in one round trip (see `LibPQConnection.pipeline`), together with any
    /// pending prelude. Use it for independent reads: the results come back in order.
    public func pipeline(_ statements: [SQL]) async throws -> [PostgresRows] {
        let (prelude, context) = try takePrelude()
        let all = prelude + statements
        PostgresConnection.statements.increment(by: all.count)
        PostgresConnection.roundTrips.increment()
        do {
            return try await onQueue { raw -> [PostgresRows] in
                do {
                    return try Self.send(all, preludeCount: prelude.count, context: context, on: raw)
                } catch let failure as PipelineFailure where failure.error.isPreparedStatementLost && raw.isOutsideTransaction {
                    // The round trip was its own implicit transaction, rolled back whole: sending
                    // it again, now unprepared, repeats nothing.
                    return try Self.send(all, preludeCount: prelude.count, context: context, on: raw)
                } catch let error as PostgresError where error.isPreparedStatementLost && raw.isOutsideTransaction {
                    return try Self.send(all, preludeCount: prelude.count, context: context, on: raw)
                }
            }
        } catch let failure as PipelineFailure {
            // Nothing of the caller's own took effect when the prelude failed, or when the
            // connection broke in the round trip that opened the transaction.
            if !prelude.isEmpty && (failure.index < prelude.count || failure.error.isConnectionFailure) {
                throw preludeFailed(failure.error)
            }
            throw failure.error
        } catch let error as PostgresError where !prelude.isEmpty && error.isConnectionFailure {
            throw preludeFailed(error)
        }
    }

    private static func send(_ all: [SQL], preludeCount: Int, context: String, on raw: LibPQConnection) throws -> [PostgresRows] {
        // all.count == 1, so all[0] exists: no input reaches a trap here.
        if all.count == 1 { return [try raw.query(all[0], context: preludeCount == 0 ? context : "")] }
        return Array(try raw.pipeline(all, context: context, preludeCount: preludeCount).dropFirst(preludeCount))
    }

    /// Statements sent ahead of the next round trip (`repeating`: ahead of every one), so that
    /// opening a transaction and switching into a tenant cost no round trip of their own.
    /// They are also the context in which the statements that follow are prepared
    /// (`PreparedStatementCache`), until `clearPrelude()`.
    func setPrelude(_ statements: [SQL], repeating: Bool) {
        let context = statements.map(\.contextKey).joined(separator: ";")
        prelude.withLock { $0 = Prelude(statements: statements, repeating: repeating, context: context) }
    }

    /// Drops a prelude that was never sent; `true` when one was pending (nothing reached the server).
    func clearPrelude() -> Bool {
        prelude.withLock { state in
            defer { state = Prelude() }
            return !state.statements.isEmpty && !state.repeating
        }
    }

    private func preludeFailed(_ error: PostgresError) -> PostgresPreludeFailure {
        prelude.withLock { $0.failed = error }
        return PostgresPreludeFailure(error: error)
    }

    private func takePrelude() throws -> (statements: [SQL], context: String) {
        try prelude.withLock { state in
            if let failed = state.failed { throw PostgresPreludeFailure(error: failed) }
            let statements = state.statements
            if !state.repeating { state.statements = [] }
            return (statements, state.context)
        }
    }

    /// Statements and round trips sent to the server, for the benchmark's per-request figures.
    static let statements = Counter(label: "postgres_statements_total")
    static let roundTrips = Counter(label: "postgres_round_trips_total")

    /// Runs a script of several statements without binds (e.g. a migration file).
    public func execute(script: String) async throws {
        try await onQueue { try $0.executeScript(script) }
    }

    /// Quotes an identifier with libpq's escaping.
    public func quoteIdentifier(_ name: String) async throws -> String {
        try await onQueue { try $0.quoteIdentifier(name) }
    }

    /// Runs `body` in a transaction: commit when it returns, roll back when it throws.
    public func withTransaction<T: Sendable>(
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await query("BEGIN")
        let value: T
        do {
            value = try await body(self)
        } catch {
            // A failed rollback leaves the connection unhealthy; the pool then discards it.
            _ = try? await query("ROLLBACK")
            throw error
        }
        try await query("COMMIT")
        return value
    }

    /// Closes the connection; later calls fail with a connection error.
    public func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.raw.close()
                continuation.resume()
            }
        }
    }

    /// `true` while usable: reads pending input without blocking, so a backend terminated
    /// while idle is seen before the connection is handed out.
    func checkAlive() async -> Bool {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.raw.checkAlive()) }
        }
    }

    /// Notes that `tenant` was served here; retires the connection once more than `bound`
    /// distinct ones were, because PostgreSQL keeps each touched relation's cache entries for the
    /// backend's lifetime.
    public func noteTenant(_ tenant: String, bound: Int) {
        let count = tenantsServed.withLock { served in
            served.insert(tenant)
            return served.count
        }
        if count > bound { retire() }
    }

    /// Marks the connection as not to be used again: the pool closes it when it comes back.
    /// For a backend whose own caches went stale (the server cannot be told to refresh them).
    public func retire() { retired.store(true, ordering: .relaxed) }

    /// `true` when usable and not inside a transaction: fit to go back to the pool.
    ///
    /// Reads only libpq's own state (no I/O), so it runs on the caller's thread: the connection
    /// belongs to the caller, whose last job on the queue has finished.
    func isReusable() -> Bool {
        if retired.load(ordering: .relaxed) { return false }
        return raw.isIdleAndHealthy
    }

    private func onQueue<T: Sendable>(_ work: @escaping @Sendable (LibPQConnection) throws -> T)
        async throws -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work(self.raw) })
            }
        }
    }
}

/// What runs statements: a connection, or a wrapper that stands for one in a narrower role
/// (e.g. an organisation's transaction), so that code can ask for exactly the one it may use.
public protocol PostgresQuerying: Sendable {
    @discardableResult
    func query(_ sql: SQL) async throws -> PostgresRows
    func pipeline(_ statements: [SQL]) async throws -> [PostgresRows]
}

extension PostgresConnection: PostgresQuerying {}
