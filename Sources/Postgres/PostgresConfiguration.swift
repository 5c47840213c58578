/// Where the database is, read the way PostgreSQL tools read it.
public enum PostgresConfiguration {
    /// `DATABASE_URL` when set (a `postgresql://` URI or key/value conninfo); otherwise the empty
    /// conninfo, with which libpq itself reads `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
    /// `PGDATABASE` and the rest.
    public static func conninfo(environment: [String: String]) -> String {
        if let url = environment["DATABASE_URL"], !url.isEmpty { return url }
        return ""
    }

    /// As `conninfo(environment:)`, but `fallback` when neither `DATABASE_URL` nor `PGHOST` is set
    /// (e.g. the docker-compose defaults for tests).
    public static func conninfo(environment: [String: String], fallback: String) -> String {
        environment["DATABASE_URL"] != nil || environment["PGHOST"] != nil ? conninfo(environment: environment) : fallback
    }

    /// The docker-compose database (`docker compose up -d db`).
    public static let composeDefault = "host=127.0.0.1 port=5432 user=luotsi password=luotsi dbname=luotsi"

    /// A short human description of the target without secrets, for error messages.
    public static func describe(environment: [String: String]) -> String {
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            // Drop user:password@ from a URI.
            if let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://") {
                return String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...])
            }
            return "DATABASE_URL"
        }
        let host = environment["PGHOST"] ?? "localhost (socket)"
        let port = environment["PGPORT"] ?? "5432"
        let database = environment["PGDATABASE"] ?? environment["PGUSER"] ?? "(default)"
        return "host \(host) port \(port) database \(database)"
    }
}
