import Foundation

/// Tells whether a conninfo leads through a pooler that lends a client a server connection per
/// transaction (PgBouncer's `pool_mode = transaction`). Session state cannot live there: a
/// session-level advisory lock (the migrator's), `LISTEN`, or named prepared statements (before
/// PgBouncer 1.21) land on whichever server connection served that one transaction.
///
/// PgBouncer answers like PostgreSQL and says nothing of its mode, so the probe looks at what
/// happens. It sets a session-level marker on one client connection (the *probe*); a second
/// (the *holder*) opens a transaction, which a transaction pooler serves with an idle server
/// connection, by default the one the probe has just given back; then the probe reads its
/// marker. Connected directly (or through session pooling) the probe keeps its own backend: the
/// marker is there at once. Through transaction pooling the probe either lands on another server
/// connection (no marker) or waits for one (a pool of one): either way, it is pooled.
public enum TransactionPoolingProbe {
    public static func isTransactionPooled(conninfo: String, patience: Duration = .seconds(2)) async throws -> Bool {
        let probe = try await PostgresConnection.connect(conninfo: conninfo, label: "postgres.pooling-probe")
        defer { Task { await probe.close() } }
        return try await isTransactionPooled(probe: probe, conninfo: conninfo, patience: patience)
    }

    /// As above, with a connection of the caller's as the probe (it keeps a harmless session
    /// setting, `luotsi.pooling_probe`); only the holder is opened here.
    public static func isTransactionPooled(probe: PostgresConnection, conninfo: String, patience: Duration = .seconds(2))
        async throws -> Bool
    {
        let holder = try await PostgresConnection.connect(conninfo: conninfo, label: "postgres.pooling-holder")
        defer { Task { await holder.close() } }
        let marker = UUID().uuidString
        try await probe.query("SELECT set_config('luotsi.pooling_probe', \(marker), false)")
        try await holder.query("BEGIN")
        try await holder.query("SELECT 1")
        let readBack = Task { () throws -> String? in
            try await probe.query("SELECT current_setting('luotsi.pooling_probe', true) AS marker").one().decode("marker", as: String?.self)
        }
        let answeredInTime = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await readBack.value) != nil }
            group.addTask {
                try? await Task.sleep(for: patience)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        // Let the probe's read finish (it may be waiting for the holder's server connection).
        try await holder.query("ROLLBACK")
        let seen = try await readBack.value
        return !answeredInTime || seen != marker
    }
}
