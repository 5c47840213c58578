import Foundation
import Logging
import Luotsi
import Postgres

/// What every command needs: logging, configuration, a pool and the services over it.
struct Runtime {
    let configuration: AppConfiguration
    let services: AppServices
    let logger: Logger

    private static let bootstrapLogging: Void = {
        let environment = ProcessInfo.processInfo.environment
        let level = Logger.Level(rawValue: environment["LOG_LEVEL"] ?? "info") ?? .info
        // An unknown LOG_FORMAT is refused by AppConfiguration, right after this.
        let format = (try? LogFormat(environment: environment)) ?? .text
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }()

    /// Builds the runtime and checks that the database answers, with a clear message if not.
    /// `probePooling`: for `serve`, look for a transaction pooler in front of the database when
    /// `LUOTSI_DB_PREPARED_STATEMENTS` is not set, and prepare nothing if there is one. Other
    /// commands prepare nothing unless told to.
    static func start(probePooling: Bool = false) async throws -> Runtime {
        _ = bootstrapLogging
        Observability.bootstrap()  // before any instrument is made, or it binds to no backend
        var configuration = try AppConfiguration()
        let logger = Logger(label: "luotsi")
        if configuration.preparedStatements == nil {
            var pooled = false
            if probePooling {
                do {
                    pooled = try await TransactionPoolingProbe.isTransactionPooled(conninfo: configuration.conninfo)
                } catch let error as PostgresError {
                    throw CLIError("cannot reach the database (\(configuration.databaseDescription)): \(error.message)")
                }
            }
            if pooled {
                logger.notice(
                    "the database connection goes through a transaction pooler: no prepared statements (LUOTSI_DB_PREPARED_STATEMENTS=0)")
            }
            // Short-lived commands repeat few statements: only `serve` gains from preparing them.
            configuration.preparedStatements = probePooling && !pooled ? 1000 : 0
        }
        let pool = PostgresPool(
            configuration: .init(
                conninfo: configuration.conninfo, maxConnections: configuration.poolSize, acquireTimeout: configuration.poolTimeout,
                preparedStatements: configuration.preparedStatements ?? 0),
            logger: Logger(label: "luotsi.db"))
        let services = try AppServices(
            pool: pool, sqlDirectory: try SQLDirectory.locate(), sessionLifetime: configuration.sessionLifetime,
            sessionIdle: configuration.sessionIdle, organisationsPerConnection: configuration.organisationsPerConnection,
            secretKeys: configuration.secretKeys,
            readCache: ReadModelCache(capacityBytes: configuration.readCacheBytes, maxAge: configuration.readCacheMaxAge),
            mail: configuration.mail, logger: logger)
        do {
            try await pool.query("SELECT 1")
        } catch let error as PostgresError {
            await pool.close()
            throw CLIError("cannot reach the database (\(configuration.databaseDescription)): \(error.message)")
        }
        return Runtime(configuration: configuration, services: services, logger: logger)
    }

    func shutdown() async { await services.pool.close() }

    /// Runs `body` and always closes the pool afterwards.
    static func with<T>(_ body: (Runtime) async throws -> T) async throws -> T {
        let runtime = try await start()
        do {
            let value = try await body(runtime)
            await runtime.shutdown()
            return value
        } catch {
            await runtime.shutdown()
            throw error
        }
    }
}

/// An error whose text is the whole message for the terminal.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
