import Hummingbird
import Logging

/// Builds the HTTP application. Every middleware and route group is listed here, in order.
public func buildApplication(services: AppServices, configuration: AppConfiguration, logger: Logger) -> some ApplicationProtocol {
    let router = buildRouter(services: services, secureCookies: configuration.secureCookies).router
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Luotsi"),
        services: [services.pool],
        logger: logger)
}

/// The router alone (for tests through Hummingbird's testing client) and its API route table.
public func buildRouter(services: AppServices, secureCookies: Bool = false) -> (router: Router<AppRequestContext>, routes: RouteTable) {
    let router = Router(context: AppRequestContext.self)
    // Outermost first: the request id wraps everything, so errors carry it too.
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(LogRequestsMiddleware(.info))
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(ProblemMiddleware())
    router.middlewares.add(AuthMiddleware(sessions: services.sessions))

    HealthRoutes(pool: services.pool).register(on: router)

    let api = APIRouter(router: router, table: RouteTable())
    OpenAPIDocument.register(on: api)
    AuthRoutes(services: services, secureCookies: secureCookies).register(on: api)
    CatalogueRoutes(services: services).register(on: api)
    PlatformOrganisationRoutes(services: services).register(on: api)
    UserRoutes(services: services).register(on: api)
    GoalRoutes(services: services).register(on: api)
    ProcurementRoutes(services: services).register(on: api)
    OverviewRoutes(services: services).register(on: api)
    return (router, api.table)
}
