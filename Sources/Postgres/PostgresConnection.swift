import Dispatch
import Foundation
import Synchronization

/// An async handle on one PostgreSQL connection.
///
/// Every libpq call runs on this connection's own serial Dispatch queue and is bridged to
/// async/await, so no blocking call ever runs on a NIO event loop or in the cooperative pool.
/// A connection is used by one task at a time (the pool guarantees this for leased ones).
public final class PostgresConnection: @unchecked Sendable {
    // `raw` is touched only on `queue`; that confinement is what makes the class Sendable.
    private let raw: LibPQConnection
    private let queue: DispatchQueue
    /// The server process serving this connection (`pg_backend_pid()`).
    public let backendPID: Int32
    private let retired = Atomic<Bool>(false)

    private init(raw: LibPQConnection, queue: DispatchQueue) {
        self.raw = raw
        self.queue = queue
        self.backendPID = raw.backendPID
    }

    /// Opens a connection. `conninfo` as in `PostgresConfiguration`.
    public static func connect(conninfo: String, label: String = "postgres.connection") async throws
        -> PostgresConnection
    {
        let queue = DispatchQueue(label: label)
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result {
                        PostgresConnection(raw: try LibPQConnection(conninfo: conninfo), queue: queue)
                    })
            }
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        try await onQueue { try $0.query(sql) }
    }

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

    /// Marks the connection as not to be used again: the pool closes it when it comes back.
    /// For a backend whose own caches went stale (the server cannot be told to refresh them).
    public func retire() { retired.store(true, ordering: .relaxed) }

    /// `true` when usable and not inside a transaction: fit to go back to the pool.
    func isReusable() async -> Bool {
        if retired.load(ordering: .relaxed) { return false }
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.raw.isIdleAndHealthy) }
        }
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
