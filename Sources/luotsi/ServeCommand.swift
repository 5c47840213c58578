import ArgumentParser
import Hummingbird
import Logging
import Luotsi
import Postgres
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the web pages and the JSON API.")

    @Option(help: "Address to listen on (default LUOTSI_HOST or 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default PORT or 8080).") var port: Int?
    @Flag(help: "Apply pending migrations before serving instead of refusing to start.") var migrate = false

    func run() async throws {
        let runtime = try await Runtime.start(probePooling: true)
        var configuration = runtime.configuration
        if let host { configuration.host = host }
        if let port {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535") }
            configuration.port = port
        }
        do {
            if migrate {
                let report = try await runtime.services.migrate()
                runtime.logger.info(
                    "migrated", metadata: ["platform": "\(report.platformApplied.count)", "tenants": "\(report.tenantsMigrated)"])
            }
            // A newer build may have migrated already (a rolling upgrade): serve its schema.
            let problems = try await runtime.services.migrator.problems(allowingNewer: true)
            guard problems.isEmpty else { throw MigrationError.notCurrent(problems) }
            let sealing = try await SecondFactorSealing(services: runtime.services, keys: configuration.secretKeys).run()
            if sealing.accounts > 0 {
                runtime.logger.info(
                    "second-factor keys checked",
                    metadata: ["accounts": "\(sealing.accounts)", "resealed": "\(sealing.resealed)", "forgotten": "\(sealing.forgotten)"])
            }
        } catch {
            await runtime.shutdown()
            throw error
        }
        let pages = try PageRenderer()
        var background: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let sender = runtime.services.mailSender(logger: runtime.logger) { background.append(.init(service: sender)) }
        // The reminder pass works one organisation at a time on a connection of its own.
        let passPool = PostgresPool(
            configuration: .init(conninfo: configuration.conninfo, maxConnections: 1, acquireTimeout: configuration.poolTimeout),
            logger: Logger(label: "luotsi.db.reminders"), metricsPrefix: "postgres_reminder_pool")
        if let schedule = try runtime.services.reminderSchedule(logger: runtime.logger, pool: passPool) {
            // Stopped in reverse order: the pass first (it lets go of its place), then its pool.
            background += [.init(service: passPool), .init(service: schedule)]
        }
        let app = buildApplication(services: runtime.services, configuration: configuration, pages: pages, logger: runtime.logger)
        // SIGINT: stop at once, gracefully. SIGTERM (how service managers stop a process): first
        // drain — readiness answers 503 while requests are still served for the grace period —
        // then stop accepting, let in-flight requests finish, and close the pool.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app), .init(service: runtime.services.listener(conninfo: configuration.listenConninfo)),
                ] + background
                    + (buildMetricsApplication(configuration: configuration, logger: runtime.logger).map { [.init(service: $0)] } ?? []),
                gracefulShutdownSignals: [.sigint], logger: runtime.logger))
        let services = runtime.services
        let logger = runtime.logger
        let grace = configuration.shutdownGrace
        let drainer = Task {
            for await _ in await UnixSignalsSequence(trapping: .sigterm) {
                services.draining.start()
                logger.notice("SIGTERM: draining before shutdown", metadata: ["grace_seconds": "\(grace.components.seconds)"])
                try? await Task.sleep(for: grace)
                await group.triggerGracefulShutdown()
                return
            }
        }
        defer { drainer.cancel() }
        try await group.run()
    }
}
