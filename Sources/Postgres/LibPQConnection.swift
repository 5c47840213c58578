import CLibPQ
import Foundation
import Metrics

/// The owner of one libpq handle. Not thread-safe: `PostgresConnection` confines every call to
/// its own serial Dispatch queue, because libpq calls block.
final class LibPQConnection {
    private var handle: OpaquePointer?
    private var prepared: PreparedStatementCache

    /// Connects (blocking). `conninfo` is a libpq key/value string or a `postgresql://` URI;
    /// empty means libpq's defaults and the standard `PG*` environment variables.
    /// `preparedStatements`: how many named prepared statements to keep (0: none, e.g. behind
    /// PgBouncer's transaction pooling before 1.21, which cannot keep them).
    init(conninfo: String, preparedStatements: Int = 0) throws {
        prepared = PreparedStatementCache(capacity: preparedStatements)
        let handle = PQconnectdb(conninfo)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { LibPQConnection.errorMessage($0) } ?? "out of memory"
            PQfinish(handle)  // also after a failed connect: libpq allocated the handle
            throw PostgresError(kind: .connection, message: message)
        }
        self.handle = handle
        PQsetNoticeProcessor(handle, { _, _ in }, nil)  // notices are not errors; keep stderr clean
        do {
            // Fixed session settings so that text decoding is unambiguous.
            var settings = "SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'; SET client_encoding = 'UTF8'"
            // A prepared statement is planned once, generically, not at every execution. Left to
            // itself PostgreSQL compared each statement's generic plan with the custom plans of
            // its first five runs and, for the statements with optional filters
            // (`$2::text IS NULL OR status = $3`, whose custom plans fold the unused ones away),
            // kept planning every execution: 20 % of the machine under the benchmark's mix, and
            // 1.5 × the throughput without it (BENCHMARKS.md). An organisation's tables are small
            // enough that one plan serves every value.
            if preparedStatements > 0 { settings += "; SET plan_cache_mode = force_generic_plan" }
            try executeScript(settings)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    func close() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    /// `true` while the connection is usable. Reads whatever the server sent meanwhile without
    /// blocking, so a backend that was terminated while idle is noticed here.
    func checkAlive() -> Bool {
        guard let handle else { return false }
        // A terminated backend sends a FATAL error and then closes: the first read takes in
        // the message, the second meets the end of the stream and marks the connection bad.
        for _ in 0..<2 where PQconsumeInput(handle) == 1 {}
        return PQstatus(handle) == CONNECTION_OK
    }

    /// `true` when the connection is usable and no transaction is open.
    var isIdleAndHealthy: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    /// Quotes an identifier with libpq's escaping.
    func quoteIdentifier(_ name: String) throws -> String {
        let handle = try liveHandle()
        guard let escaped = PQescapeIdentifier(handle, name, name.utf8.count) else {
            throw PostgresError(kind: .server, message: LibPQConnection.errorMessage(handle))
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    /// Runs one statement with its binds (extended protocol, text format). `context` names the
    /// tenant switch in force (see `PreparedStatementCache`).
    func query(_ sql: SQL, context: String) throws -> PostgresRows {
        let handle = try liveHandle()
        dropEvictedStatements(handle)
        let statement = try Statement(sql, context: context, connection: self)
        switch prepared.use(statement.key) {
        case .unnamed:
            return try consume(
                statement.withValues { count, values in
                    PQexecParams(handle, statement.text, count, statement.types, values, nil, nil, 0)
                })
        case .prepare(let name):
            do {
                _ = try consume(PQprepare(handle, name, statement.text, statement.count, statement.types))
            } catch {
                prepared.failed(statement.key)
                throw error
            }
            return try executePrepared(name, statement, handle)
        case .execute(let name):
            return try executePrepared(name, statement, handle)
        }
    }

    private func executePrepared(_ name: String, _ statement: Statement, _ handle: OpaquePointer) throws -> PostgresRows {
        do {
            return try consume(statement.withValues { count, values in PQexecPrepared(handle, name, count, values, nil, nil, 0) })
        } catch let error as PostgresError where error.isPreparedStatementLost {
            forgetPrepared(after: error)
            throw error
        }
    }

    /// Sends every statement, then one `Sync`, and reads all the results: one round trip.
    ///
    /// Outside an explicit `BEGIN`, the statements form one implicit transaction that ends at the
    /// `Sync`, so transaction-local settings made by the first hold for the rest. After a failure
    /// the server skips the remaining statements; the first error is thrown with its position.
    /// The first `preludeCount` statements run before the tenant switch they make, so in the
    /// empty context; the rest in `context`.
    func pipeline(_ statements: [SQL], context: String, preludeCount: Int = 0) throws -> [PostgresRows] {
        let handle = try liveHandle()
        dropEvictedStatements(handle)
        let rendered = try statements.enumerated().map { index, sql in
            try Statement(sql, context: index < preludeCount ? "" : context, connection: self)
        }
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(kind: .connection, message: LibPQConnection.errorMessage(handle))
        }
        defer { _ = PQexitPipelineMode(handle) }
        /// What was sent, in order: each produces one group of results.
        enum Sent {
            case prepare(statement: Int)
            case execute(statement: Int, named: Bool)
        }
        var sent: [Sent] = []
        var failure: PipelineFailure?
        sending: for (index, statement) in rendered.enumerated() {
            var steps: [(Sent, () -> Int32)] = []
            let use = prepared.use(statement.key)
            switch use {
            case .unnamed:
                steps.append(
                    (
                        .execute(statement: index, named: false),
                        {
                            statement.withValues { count, values in
                                PQsendQueryParams(handle, statement.text, count, statement.types, values, nil, nil, 0)
                            }
                        }
                    ))
            case .prepare(let name), .execute(let name):
                if use == .prepare(name) {
                    steps.append(
                        (.prepare(statement: index), { PQsendPrepare(handle, name, statement.text, statement.count, statement.types) }))
                }
                steps.append(
                    (
                        .execute(statement: index, named: true),
                        { statement.withValues { count, values in PQsendQueryPrepared(handle, name, count, values, nil, nil, 0) } }
                    ))
            }
            for (item, send) in steps {
                guard send() == 1 else {
                    if case .prepare = item { prepared.failed(statement.key) }
                    failure = PipelineFailure(
                        index: index, error: PostgresError(kind: .connection, message: LibPQConnection.errorMessage(handle)))
                    break sending
                }
                sent.append(item)
            }
        }
        guard PQpipelineSync(handle) == 1 else {
            throw PipelineFailure(
                index: min(sent.count, statements.count - 1),
                error: PostgresError(kind: .connection, message: LibPQConnection.errorMessage(handle)))
        }
        var rows: [PostgresRows] = []
        rows.reserveCapacity(statements.count)
        for item in sent {
            // Each message's results end with a NULL; keep the last non-NULL one.
            var outcome: Result<PostgresRows, PostgresError>?
            while let result = PQgetResult(handle) {
                switch PQresultStatus(result) {
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                    outcome = .success(Self.rows(of: result))
                case PGRES_PIPELINE_ABORTED:
                    outcome = .failure(PostgresError(kind: .server, message: "skipped after an earlier error in the pipeline"))
                default:
                    outcome = .failure(Self.error(of: result, connection: handle))
                }
                PQclear(result)
            }
            let index: Int
            switch item {
            case .prepare(let statement):
                index = statement
                if case .success = outcome { continue }
                prepared.failed(rendered[statement].key)
            case .execute(let statement, let named):
                index = statement
                if named, case .failure(let error) = outcome, error.isPreparedStatementLost { forgetPrepared(after: error) }
            }
            switch outcome {
            case .success(let value): rows.append(value)
            case .failure(let error):
                if failure == nil { failure = PipelineFailure(index: index, error: error) }
            case nil:
                // No result at all: the connection broke.
                let error = PostgresError(kind: .connection, message: LibPQConnection.errorMessage(handle))
                throw failure ?? PipelineFailure(index: index, error: error)
            }
        }
        // The Sync's own result closes the pipeline.
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        if let failure { throw failure }
        return rows
    }

    private func forgetPrepared(after error: PostgresError) {
        if error.isMissingPreparedStatement {
            if !prepared.disabled { Self.preparingStopped.increment() }
            prepared.disable()
        } else {
            prepared.invalidateAll()
        }
    }

    /// Connections that stopped preparing statements because the server lost one of theirs.
    static let preparingStopped = Counter(label: "postgres_prepared_statements_stopped_total")

    /// `true` when no transaction is open (nor failed) on the connection.
    var isOutsideTransaction: Bool {
        handle.map { PQtransactionStatus($0) == PQTRANS_IDLE } ?? false
    }

    /// Drops statements evicted from the cache, between transactions only (where `DEALLOCATE`
    /// cannot meet an aborted transaction): one round trip per eighth of the cache.
    private func dropEvictedStatements(_ handle: OpaquePointer) {
        guard !prepared.deallocations.isEmpty, PQtransactionStatus(handle) == PQTRANS_IDLE else { return }
        let script = prepared.deallocations.map { "DEALLOCATE \"\($0)\"" }.joined(separator: "; ")
        // A name the server does not know would only mean it is gone already.
        _ = try? consume(PQexec(handle, script))
        prepared.deallocated()
    }

    /// A statement rendered for this connection: its text, key and parameters as libpq takes them.
    private struct Statement {
        let text: String
        let key: PreparedStatementCache.Key
        let binds: [PostgresBind]
        let types: [Oid]
        var count: Int32 { Int32(binds.count) }

        init(_ sql: SQL, context: String, connection: LibPQConnection) throws {
            text = try sql.render(quoteIdentifier: connection.quoteIdentifier)
            binds = sql.binds
            // libpq passes values as C strings, cut at the first NUL: "victim\0x" would arrive as
            // "victim". PostgreSQL text cannot hold U+0000 anyway, so such a value is refused here.
            if binds.contains(where: { $0.text?.utf8.contains(0) == true }) {
                throw PostgresError(
                    kind: .server, message: "a bound value contains the NUL character (U+0000), which PostgreSQL text cannot hold",
                    sqlState: "22021")
            }
            types = binds.map { Oid($0.type.rawValue) }
            key = PreparedStatementCache.Key(context: context, text: text, types: types)
        }

        /// Passes the values to libpq as C strings.
        func withValues<R>(_ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
            let values: [UnsafeMutablePointer<CChar>?] = binds.map { $0.text.flatMap { strdup($0) } }
            defer { values.forEach { free($0) } }
            return try values.map { UnsafePointer($0) }.withUnsafeBufferPointer { try body(count, $0.baseAddress) }
        }
    }

    /// Runs a script of one or more statements (simple protocol, no binds): migrations.
    func executeScript(_ script: String) throws {
        let handle = try liveHandle()
        _ = try consume(PQexec(handle, script))
    }

    func liveHandle() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(kind: .connection, message: "connection is closed")
        }
        return handle
    }

    /// Turns a result into rows or a thrown error; clears it on every path.
    private func consume(_ result: OpaquePointer?) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(
                kind: .connection, message: handle.map(LibPQConnection.errorMessage) ?? "no connection")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.rows(of: result)
        default:
            throw Self.error(of: result, connection: handle)
        }
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = PostgresColumns(
            names: (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) },
            types: (0..<columnCount).map { PostgresDataType(rawValue: UInt32(PQftype(result, Int32($0)))) })
        // Two passes: sizes first, so the values go into one buffer of the right size.
        let cells = rowCount * columnCount
        var starts = [Int](repeating: -1, count: cells)
        var lengths = [Int](repeating: 0, count: cells)
        var total = 0
        for row in 0..<rowCount {
            for column in 0..<columnCount where PQgetisnull(result, Int32(row), Int32(column)) == 0 {
                let slot = row * columnCount + column
                let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                starts[slot] = total
                lengths[slot] = length
                total += length
            }
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            for slot in 0..<cells where starts[slot] >= 0 && lengths[slot] > 0 {
                let value = PQgetvalue(result, Int32(slot / columnCount), Int32(slot % columnCount))!
                UnsafeMutableRawPointer(buffer.baseAddress! + starts[slot]).copyMemory(from: value, byteCount: lengths[slot])
            }
            initialized = total
        }
        let storage = PostgresValues(bytes: bytes, starts: starts, lengths: lengths, columnCount: columnCount)
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, storage: storage, count: rowCount, affectedRows: affected)
    }

    private static func error(of result: OpaquePointer, connection: OpaquePointer?) -> PostgresError {
        func field(_ code: Unicode.Scalar) -> String? {
            guard let value = PQresultErrorField(result, Int32(UInt8(ascii: code))) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        let lost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        var message = field("M") ?? String(cString: PQresultErrorMessage(result))
        message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return PostgresError(
            kind: lost ? .connection : .server,
            message: message.isEmpty ? "unknown error" : message,
            sqlState: sqlState, detail: field("D"), hint: field("H"), constraint: field("n"),
            table: field("t"), column: field("c"))
    }

    private static func errorMessage(_ handle: OpaquePointer) -> String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
