import CLibPQ
import Dispatch
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Synchronization

/// Listens on PostgreSQL channels (`LISTEN`) on a connection of its own and hands every
/// notification to `onNotification`.
///
/// It waits on the socket on a thread of its own (libpq blocks), reconnects after a failure, and
/// calls `onReconnect` each time it (re)starts listening: whatever was sent while it was away was
/// lost, so a cache fed by it must start afresh (and `onDisconnect` when it stops listening). As a `Service`, it stops on shutdown.
///
/// It needs a direct session: PgBouncer's transaction pooling cannot carry `LISTEN`.
public final class PostgresListener: Sendable, Service {
    public typealias Handler = @Sendable (_ channel: String, _ payload: String) -> Void

    private let conninfo: String
    private let channels: [String]
    private let logger: Logger
    private let onNotification: Handler
    private let onReconnect: @Sendable () -> Void
    private let onDisconnect: @Sendable () -> Void
    private let stopped = Atomic<Bool>(false)
    private let listening = Atomic<Bool>(false)

    public init(
        conninfo: String, channels: [String], logger: Logger = Logger(label: "postgres.listener"),
        onReconnect: @escaping @Sendable () -> Void, onDisconnect: @escaping @Sendable () -> Void = {},
        onNotification: @escaping Handler
    ) {
        self.conninfo = conninfo
        self.channels = channels
        self.logger = logger
        self.onReconnect = onReconnect
        self.onDisconnect = onDisconnect
        self.onNotification = onNotification
    }

    /// `true` while a connection is open and listening.
    public var isListening: Bool { listening.load(ordering: .relaxed) }

    /// Starts listening on a thread of its own; returns at once.
    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "postgres.listener"
        thread.start()
    }

    /// Stops within half a second.
    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// Service entry point: listens until graceful shutdown.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        stop()
    }

    private func loop() {
        var failures = 0
        while !stopped.load(ordering: .relaxed) {
            do {
                try listenOnce { failures = 0 }
            } catch {
                if listening.exchange(false, ordering: .relaxed) { onDisconnect() }
                failures += 1
                if failures == 1 || failures % 60 == 0 {
                    logger.warning("not listening for notifications; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                }
                // Back off up to 5 s, waking early on stop.
                for _ in 0..<min(failures, 10) where !stopped.load(ordering: .relaxed) {
                    usleep(500_000)
                }
            }
        }
        if listening.exchange(false, ordering: .relaxed) { onDisconnect() }
    }

    /// Connects, listens and delivers until the connection fails (throws) or `stop()` (returns).
    private func listenOnce(connected: () -> Void) throws {
        let connection = try LibPQConnection(conninfo: conninfo)
        defer { connection.close() }
        try connection.executeScript(
            channels.map { "LISTEN \"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" }.joined(separator: "; "))
        connected()
        listening.store(true, ordering: .relaxed)
        onReconnect()
        while !stopped.load(ordering: .relaxed) {
            let notifications = try connection.awaitNotifications(timeoutMilliseconds: 500)
            for (channel, payload) in notifications { onNotification(channel, payload) }
        }
    }
}

extension LibPQConnection {
    /// Waits up to `timeoutMilliseconds` for notifications and returns those that arrived.
    func awaitNotifications(timeoutMilliseconds: Int32) throws -> [(String, String)] {
        let handle = try liveHandle()
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { throw PostgresError(kind: .connection, message: "connection has no socket") }
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR { throw PostgresError(kind: .connection, message: "poll failed: errno \(errno)") }
        guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: String(cString: PQerrorMessage(handle)))
        }
        var received: [(String, String)] = []
        while let notification = PQnotifies(handle) {
            received.append((String(cString: notification.pointee.relname), String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return received
    }
}
