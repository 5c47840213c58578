import Foundation
import Logging
import Postgres

/// Settings read from environment variables (see README, Configuration).
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var conninfo: String
    /// For the one connection that listens for notifications: a direct session, not through
    /// PgBouncer's transaction pooling (`LUOTSI_LISTEN_DATABASE_URL`, else the same as `conninfo`).
    public var listenConninfo: String
    public var databaseDescription: String
    public var poolSize: Int
    public var poolTimeout: Duration
    /// A pooled connection is replaced after serving this many organisations (backend memory).
    public var organisationsPerConnection: Int
    public var logLevel: Logger.Level
    /// Every request counts as HTTPS: cookies `Secure` and `__Host-` prefixed (on behind HTTPS;
    /// off for http://localhost). A trusted proxy's `X-Forwarded-Proto: https` does the same per request.
    public var secureCookies: Bool
    /// `LUOTSI_TRUSTED_PROXIES`: whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    public var trustedProxies: TrustedProxies
    /// `LUOTSI_SECRET_KEY_FILE`: the keys that seal second-factor keys at rest (none when unset).
    public var secretKeys: SecretKeys
    /// Named prepared statements kept per pooled connection (0: none, for PgBouncer's
    /// transaction pooling before 1.21); `nil` when not set: 1000, or 0 where `serve` finds a
    /// transaction pooler in the way.
    public var preparedStatements: Int?
    /// `LOG_FORMAT`: text lines, or one JSON object per line.
    public var logFormat: LogFormat
    /// Where `/metrics` answers: a listener of its own, on loopback unless told otherwise
    /// (`LUOTSI_METRICS_HOST`, `LUOTSI_METRICS_PORT`; port 0 turns it off). The public port
    /// never serves it.
    public var metricsHost: String
    public var metricsPort: Int
    /// How long a sign-in lasts.
    public var sessionLifetime: Duration
    /// How long a sign-in lasts unused.
    public var sessionIdle: Duration
    /// `LUOTSI_READ_CACHE_MB`: memory for each instance's cache of the organisations' read models
    /// (0 turns it off); `LUOTSI_READ_CACHE_SECONDS`: how long an entry lives at most, however
    /// current (the models that depend on the date, such as check-ins due, are at most that old).
    public var readCacheBytes: Int
    public var readCacheMaxAge: Duration
    /// After SIGTERM: how long requests are still served (readiness already 503) before the listener closes.
    public var shutdownGrace: Duration
    /// E-mail: the SMTP server, the sender's address, the pages' public address, retries and the
    /// reminder pass's time (`LUOTSI_SMTP_URL`, `LUOTSI_MAIL_FROM`, `LUOTSI_PUBLIC_URL`, …).
    public var mail: MailSettings

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        host = environment["LUOTSI_HOST"] ?? "127.0.0.1"
        port = try Self.integer(environment, "PORT", default: 8080, range: 1...65535)
        conninfo = PostgresConfiguration.conninfo(environment: environment)
        listenConninfo = environment["LUOTSI_LISTEN_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? conninfo
        databaseDescription = PostgresConfiguration.describe(environment: environment)
        poolSize = try Self.integer(environment, "LUOTSI_DB_POOL_SIZE", default: 8, range: 1...200)
        organisationsPerConnection = try Self.integer(environment, "LUOTSI_DB_ORGS_PER_CONNECTION", default: 2000, range: 10...1_000_000)
        preparedStatements =
            environment["LUOTSI_DB_PREPARED_STATEMENTS"].map { $0.isEmpty } == false
            ? try Self.integer(environment, "LUOTSI_DB_PREPARED_STATEMENTS", default: 1000, range: 0...100_000) : nil
        poolTimeout = .seconds(try Self.integer(environment, "LUOTSI_DB_POOL_TIMEOUT_SECONDS", default: 10, range: 1...300))
        sessionLifetime = .seconds(try Self.integer(environment, "LUOTSI_SESSION_HOURS", default: 12, range: 1...720) * 3600)
        sessionIdle = .seconds(try Self.integer(environment, "LUOTSI_SESSION_IDLE_MINUTES", default: 120, range: 5...1440) * 60)
        shutdownGrace = .seconds(try Self.integer(environment, "LUOTSI_SHUTDOWN_GRACE_SECONDS", default: 2, range: 0...120))
        secureCookies = ["1", "true", "yes"].contains((environment["LUOTSI_SECURE_COOKIES"] ?? "").lowercased())
        trustedProxies = try TrustedProxies(parsing: environment["LUOTSI_TRUSTED_PROXIES"] ?? "")
        secretKeys = try SecretKeys(environment: environment)
        let level = environment["LOG_LEVEL"] ?? "info"
        guard let parsed = Logger.Level(rawValue: level) else {
            throw LuotsiError.invalid(field: "LOG_LEVEL", reason: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = parsed
        logFormat = try LogFormat(environment: environment)
        metricsHost = environment["LUOTSI_METRICS_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        metricsPort = try Self.integer(environment, "LUOTSI_METRICS_PORT", default: 9464, range: 0...65535)
        readCacheBytes = try Self.integer(environment, "LUOTSI_READ_CACHE_MB", default: 64, range: 0...16384) << 20
        readCacheMaxAge = .seconds(try Self.integer(environment, "LUOTSI_READ_CACHE_SECONDS", default: 60, range: 1...86400))
        mail = try MailSettings(environment: environment)
    }

    static func integer(_ environment: [String: String], _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = environment[name], !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw LuotsiError.invalid(field: name, reason: "must be a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }
}
