/// Why migrating stopped. Each names the schema and file involved.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    case missingDirectory(String)
    case badFileName(String)
    case duplicateVersion(String, String)
    /// An applied file's text changed since it was applied.
    case checksumMismatch(schema: String, file: String)
    /// The schema records a version this build has no file for (it is ahead of the code).
    case unknownVersion(schema: String, version: Int)
    /// A file failed to apply; the schema's transaction was rolled back.
    case failed(schema: String, file: String, reason: String)
    /// The database is behind or inconsistent; `serve` refuses to start.
    case notCurrent([String])
    /// The migrator's connection leads through a transaction pooler, where its session lock
    /// cannot hold.
    case throughTransactionPooling

    public var description: String {
        switch self {
        case .missingDirectory(let path): "migration folder not found: \(path)"
        case .badFileName(let name): "migration file \(name) must be named NNN_description.sql"
        case .duplicateVersion(let a, let b): "migration files \(a) and \(b) have the same number"
        case .checksumMismatch(let schema, let file):
            "schema \(schema): migration \(file) was changed after it was applied; restore the applied text and add a new migration instead"
        case .unknownVersion(let schema, let version):
            "schema \(schema) has migration version \(version) applied, which this build does not know (is the database newer than the code?)"
        case .failed(let schema, let file, let reason):
            "schema \(schema): migration \(file) failed: \(reason); nothing of this schema's run was kept, later schemas were not started"
        case .throughTransactionPooling:
            "migrations must reach PostgreSQL directly, but this connection goes through a pooler in transaction mode (PgBouncer pool_mode = transaction), where the migration lock cannot hold: point DATABASE_URL at PostgreSQL itself for `luotsi migrate` (deploy/pgbouncer/README.md)"
        case .notCurrent(let problems):
            "the database is not at this build's schema version: " + problems.joined(separator: "; ")
                + ". Run `luotsi migrate` (or `luotsi serve --migrate`)."
        }
    }
}
