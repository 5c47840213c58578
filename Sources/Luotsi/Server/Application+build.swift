import HTTPTypes
import Hummingbird
import Logging

/// Builds the HTTP application. Every middleware and route group is listed here, in order.
public func buildApplication(services: AppServices, configuration: AppConfiguration, logger: Logger) -> some ApplicationProtocol {
    let router = buildRouter(services: services)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Luotsi"),
        services: [services.pool],
        logger: logger)
}

/// The router alone, for tests through Hummingbird's testing client.
public func buildRouter(services: AppServices) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // Outermost first: the request id wraps everything, so errors carry it too.
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(LogRequestsMiddleware(.info))
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(ProblemMiddleware())

    HealthRoutes(pool: services.pool).register(on: router)
    return router
}
