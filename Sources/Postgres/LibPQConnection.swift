import CLibPQ
import Foundation

/// The owner of one libpq handle. Not thread-safe: `PostgresConnection` confines every call to
/// its own serial Dispatch queue, because libpq calls block.
final class LibPQConnection {
    private var handle: OpaquePointer?

    /// Connects (blocking). `conninfo` is a libpq key/value string or a `postgresql://` URI;
    /// empty means libpq's defaults and the standard `PG*` environment variables.
    init(conninfo: String) throws {
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
            try executeScript("SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'; SET client_encoding = 'UTF8'")
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

    /// Runs one statement with its binds (extended protocol, text format).
    func query(_ sql: SQL) throws -> PostgresRows {
        let handle = try liveHandle()
        let result = try withParameters(of: sql) { text, count, types, values in
            PQexecParams(handle, text, count, types, values, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Sends every statement, then one `Sync`, and reads all the results: one round trip.
    ///
    /// Outside an explicit `BEGIN`, the statements form one implicit transaction that ends at the
    /// `Sync`, so transaction-local settings made by the first hold for the rest. After a failure
    /// the server skips the remaining statements; the first error is thrown with its position.
    func pipeline(_ statements: [SQL]) throws -> [PostgresRows] {
        let handle = try liveHandle()
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(kind: .connection, message: LibPQConnection.errorMessage(handle))
        }
        defer { _ = PQexitPipelineMode(handle) }
        var sent = 0
        var failure: PipelineFailure?
        for sql in statements {
            let accepted = try withParameters(of: sql) { text, count, types, values in
                PQsendQueryParams(handle, text, count, types, values, nil, nil, 0)
            }
            guard accepted == 1 else {
                failure = PipelineFailure(
                    index: sent, error: PostgresError(kind: .connection, message: LibPQConnection.errorMessage(handle)))
                break
            }
            sent += 1
        }
        guard PQpipelineSync(handle) == 1 else {
            throw PipelineFailure(
                index: min(sent, statements.count - 1),
                error: PostgresError(kind: .connection, message: LibPQConnection.errorMessage(handle)))
        }
        var rows: [PostgresRows] = []
        rows.reserveCapacity(sent)
        for index in 0..<sent {
            // Each statement's results end with a NULL; keep the last non-NULL one.
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

    /// Passes a statement's text and values to libpq as C strings.
    private func withParameters<R>(
        of sql: SQL,
        _ body: (UnsafePointer<CChar>, Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?) throws -> R
    ) throws -> R {
        let text = try sql.render(quoteIdentifier: quoteIdentifier)
        let binds = sql.binds
        // libpq passes values as C strings, cut at the first NUL: "victim\0x" would arrive as
        // "victim". PostgreSQL text cannot hold U+0000 anyway, so such a value is refused here.
        if binds.contains(where: { $0.text?.utf8.contains(0) == true }) {
            throw PostgresError(
                kind: .server, message: "a bound value contains the NUL character (U+0000), which PostgreSQL text cannot hold",
                sqlState: "22021")
        }
        let types = binds.map { Oid($0.type.rawValue) }
        let values: [UnsafeMutablePointer<CChar>?] = binds.map { $0.text.flatMap { strdup($0) } }
        defer { values.forEach { free($0) } }
        return try types.withUnsafeBufferPointer { typePointer in
            try values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointer in
                try body(text, Int32(binds.count), typePointer.baseAddress, valuePointer.baseAddress)
            }
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
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            let values: [String?] = (0..<Int32(columnCount)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
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
