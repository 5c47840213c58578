/// The columns of a result: names and types, shared by its rows.
public struct PostgresColumns: Sendable {
    public let names: [String]
    public let types: [PostgresDataType]

    func index(of name: String) throws -> Int {
        guard let index = names.firstIndex(of: name) else {
            throw PostgresError(kind: .decoding, message: "no column named \(name)")
        }
        return index
    }
}

/// One row of a result, its values in PostgreSQL's text format.
public struct PostgresRow: Sendable {
    public let columns: PostgresColumns
    /// The values in column order; `nil` is SQL NULL.
    public let values: [String?]

    /// Decodes a non-NULL column; NULL is a decoding error (ask for an `Optional` to allow it).
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        let index = try columns.index(of: column)
        guard let text = values[index] else {
            throw PostgresError(
                kind: .decoding, message: "column \(column) is NULL, expected \(T.self)")
        }
        do {
            return try T.decode(postgresText: text, type: columns.types[index])
        } catch var error as PostgresError {
            error.message += " (column \(column))"
            throw error
        }
    }

    /// Decodes a column that may be NULL.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type = T?.self) throws
        -> T?
    {
        let index = try columns.index(of: column)
        guard values[index] != nil else { return nil }
        return try decode(column, as: T.self)
    }

    /// Decodes a column by position.
    public func decode<T: PostgresDecodable>(at index: Int, as type: T.Type = T.self) throws -> T {
        guard columns.names.indices.contains(index) else {
            throw PostgresError(kind: .decoding, message: "no column at index \(index)")
        }
        return try decode(columns.names[index], as: type)
    }
}

/// The rows a statement returned, plus how many rows it affected.
public struct PostgresRows: Sendable, RandomAccessCollection {
    public let columns: PostgresColumns
    public let rows: [PostgresRow]
    /// Rows affected by INSERT/UPDATE/DELETE (0 when the server reported none).
    public let affectedRows: Int

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }

    /// The only row, or `nil` when there is none; more than one is an error.
    public func single() throws -> PostgresRow? {
        guard rows.count <= 1 else {
            throw PostgresError(kind: .decoding, message: "expected at most one row, got \(rows.count)")
        }
        return rows.first
    }
}
