/// An error from PostgreSQL, libpq or the pool.
///
/// The plain `description` carries no SQL and no bound values, so it is safe to log at any level
/// and to show to an operator; the server's own fields are kept for mapping and diagnosis.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in broad strokes.
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection was lost.
        case connection
        /// The server reported an error (see `sqlState`).
        case server
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// No connection became free within the pool's timeout.
        case poolExhausted
        /// The pool is shut down.
        case poolClosed
        /// A task that holds one of the pool's connections asked for another: under load every
        /// connection can end up held by such a task, each waiting for a second that never comes.
        case nestedAcquisition
    }

    public var kind: Kind
    /// Five-character SQLSTATE code from the server (e.g. `23505`), when the server sent one.
    public var sqlState: String?
    /// The primary message (from the server, libpq or this layer).
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// `true` for a unique violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// `true` when the connection itself failed, so the operation may be retried elsewhere.
    public var isConnectionFailure: Bool {
        kind == .connection || (sqlState.map { $0.hasPrefix("08") || $0 == "57P01" } ?? false)
    }

    /// `true` when PostgreSQL refused to run a prepared statement whose result columns changed
    /// since it was prepared (a migration altered a table it reads with `*`): SQLSTATE 0A000.
    public var isCachedPlanResultChange: Bool {
        sqlState == "0A000" && message.contains("cached plan must not change result type")
    }

    /// `true` when the server does not know a prepared statement the client named: SQLSTATE 26000.
    public var isMissingPreparedStatement: Bool { sqlState == "26000" }

    /// A prepared statement could not run as prepared, and running the same work again unprepared
    /// is the remedy (see `PreparedStatementCache`).
    var isPreparedStatementLost: Bool { isCachedPlanResultChange || isMissingPreparedStatement }

    public var description: String {
        switch kind {
        case .server:
            var text = "PostgreSQL error \(sqlState ?? "?????"): \(message)"
            if let constraint { text += " (constraint \(constraint))" }
            return text
        case .connection: return "PostgreSQL connection error: \(message)"
        case .decoding: return "PostgreSQL decoding error: \(message)"
        case .poolExhausted: return "PostgreSQL pool exhausted: \(message)"
        case .poolClosed: return "PostgreSQL pool closed: \(message)"
        case .nestedAcquisition: return "PostgreSQL pool misuse: \(message)"
        }
    }
}

/// A statement of a pipeline failed: which one (from 0) and how.
struct PipelineFailure: Error {
    let index: Int
    let error: PostgresError
}

/// A unit of work failed before any of its own statements could take effect: the connection's
/// prelude (its `BEGIN` and tenant switch) was refused, or the connection broke during the first
/// round trip of a transaction. The work may be started again on another connection.
public struct PostgresPreludeFailure: Error, Sendable, CustomStringConvertible {
    public let error: PostgresError
    public var description: String { error.description }
}
