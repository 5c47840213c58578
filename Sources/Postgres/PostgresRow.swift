/// The columns of a result: names and types, shared by its rows.
public struct PostgresColumns: Sendable {
    public let names: [String]
    public let types: [PostgresDataType]

    /// The position of the column named `name` (few columns, and most names are small strings,
    /// which compare as two machine words).
    public func index(of name: String) throws -> Int {
        guard let index = names.firstIndex(of: name) else {
            throw PostgresError(kind: .decoding, message: "no column named \(name)")
        }
        return index
    }
}

/// Every value of a result, copied out of libpq's result in one buffer (one allocation per
/// result rather than a `String` per value), with where each value starts and how long it is.
final class PostgresValues: Sendable {
    let bytes: [UInt8]
    /// Per value, row by row: its start in `bytes`, or -1 for SQL NULL.
    let starts: [Int]
    let lengths: [Int]
    let columnCount: Int

    init(bytes: [UInt8], starts: [Int], lengths: [Int], columnCount: Int) {
        self.bytes = bytes
        self.starts = starts
        self.lengths = lengths
        self.columnCount = columnCount
    }

    /// Calls `body` with the value's UTF-8 text, or with `nil` for NULL.
    @inline(__always)
    func withValue<T>(row: Int, column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) rethrows -> T {
        let slot = row * columnCount + column
        let start = starts[slot]
        guard start >= 0 else { return try body(nil) }
        return try bytes.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[start..<start + lengths[slot]]))
        }
    }

    func isNull(row: Int, column: Int) -> Bool { starts[row * columnCount + column] < 0 }
}

/// One row of a result, its values in PostgreSQL's text format.
public struct PostgresRow: Sendable {
    public let columns: PostgresColumns
    let storage: PostgresValues
    let row: Int

    /// The values in column order as text; `nil` is SQL NULL.
    public var values: [String?] {
        (0..<columns.names.count).map { column in
            storage.withValue(row: row, column: column) { $0.map { String(decoding: $0, as: UTF8.self) } }
        }
    }

    /// Decodes a non-NULL column; NULL is a decoding error (ask for an `Optional` to allow it).
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decode(at: try columns.index(of: column), as: type)
    }

    /// Decodes a column that may be NULL.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type = T?.self) throws
        -> T?
    {
        let index = try columns.index(of: column)
        if storage.isNull(row: row, column: index) { return nil }
        return try decode(at: index, as: T.self)
    }

    /// Decodes a column by position (what the name-based forms come down to).
    public func decode<T: PostgresDecodable>(at index: Int, as type: T.Type = T.self) throws -> T {
        guard columns.names.indices.contains(index) else {
            throw PostgresError(kind: .decoding, message: "no column at index \(index)")
        }
        let columnType = columns.types[index]
        return try storage.withValue(row: row, column: index) { bytes in
            guard let bytes else {
                throw PostgresError(
                    kind: .decoding, message: "column \(columns.names[index]) is NULL, expected \(T.self)")
            }
            do {
                return try T.decode(postgresBytes: bytes, type: columnType)
            } catch var error as PostgresError {
                error.message += " (column \(columns.names[index]))"
                throw error
            }
        }
    }
}

/// The rows a statement returned, plus how many rows it affected.
public struct PostgresRows: Sendable, RandomAccessCollection {
    public let columns: PostgresColumns
    let storage: PostgresValues
    /// Rows affected by INSERT/UPDATE/DELETE (0 when the server reported none).
    public let affectedRows: Int

    public let count: Int

    init(columns: PostgresColumns, storage: PostgresValues, count: Int, affectedRows: Int) {
        self.columns = columns
        self.storage = storage
        self.count = count
        self.affectedRows = affectedRows
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    /// Collection access; out of range traps, as every Swift collection's does. Code reading a
    /// row it expects uses `one()` (an error, not a trap, when the statement returned none).
    public subscript(position: Int) -> PostgresRow {
        precondition((0..<count).contains(position), "row \(position) of \(count)")
        return PostgresRow(columns: columns, storage: storage, row: position)
    }

    /// The first row of a statement that always returns one (an aggregate, `RETURNING` after an
    /// insert); a `decoding` error instead of a trap when it returned none.
    public func one() throws -> PostgresRow {
        guard let row = first else { throw PostgresError(kind: .decoding, message: "expected a row, got none") }
        return row
    }

    /// The only row, or `nil` when there is none; more than one is an error.
    public func single() throws -> PostgresRow? {
        guard count <= 1 else {
            throw PostgresError(kind: .decoding, message: "expected at most one row, got \(count)")
        }
        return first
    }
}
