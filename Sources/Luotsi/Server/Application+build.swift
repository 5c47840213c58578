import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging

/// Builds the HTTP application. Every middleware and route group is listed here, in order.
public func buildApplication(services: AppServices, configuration: AppConfiguration, pages: PageRenderer, logger: Logger)
    -> some ApplicationProtocol
{
    let router = buildRouter(
        services: services, secureCookies: configuration.secureCookies, trustedProxies: configuration.trustedProxies, pages: pages
    ).router
    // Workshop boards' live updates upgrade to WebSockets; every other request is plain HTTP/1.1.
    let webSockets = WorkshopLive.router(
        services: services, pages: pages, trustedProxies: configuration.trustedProxies, secureCookies: configuration.secureCookies
    ).buildResponder()
    return Application(
        router: router,
        server: HTTPServerBuilder { responder in
            GuardedWebSocketChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSockets, configuration: .init()))
        },
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Luotsi"),
        services: [services.pool],
        logger: logger)
}

/// `/metrics` (Prometheus text) on a listener of its own, on loopback by default
/// (`LUOTSI_METRICS_HOST`, `LUOTSI_METRICS_PORT`): what the process counts about its requests,
/// pool and sign-ins is for the operator's Prometheus, not for everyone who reaches the site.
/// `nil` when the port is 0.
public func buildMetricsApplication(configuration: AppConfiguration, logger: Logger) -> (any ApplicationProtocol)? {
    guard configuration.metricsPort > 0 else { return nil }
    return Application(
        router: buildMetricsRouter(),
        configuration: .init(address: .hostname(configuration.metricsHost, port: configuration.metricsPort), serverName: "Luotsi"),
        logger: logger)
}

public func buildMetricsRouter() -> Router<BasicRequestContext> {
    let router = Router()
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: Observability.exposition())))
    }
    return router
}

/// The router alone (for tests through Hummingbird's testing client) with its API and page route
/// tables. `pages` defaults to the templates and translations bundled with the application.
public func buildRouter(
    services: AppServices, secureCookies: Bool = false, trustedProxies: TrustedProxies = .none, pages: PageRenderer? = nil
) -> (
    router: Router<AppRequestContext>, routes: RouteTable, pages: RouteTable
) {
    let pages = pages ?? PageRenderer.bundled()
    let router = Router(context: AppRequestContext.self)
    // Outermost first: the request id wraps everything, so errors carry it too.
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(ClientMiddleware(trustedProxies: trustedProxies, alwaysSecure: secureCookies))
    router.middlewares.add(ReadYourWritesMiddleware())
    router.middlewares.add(SecurityHeadersMiddleware())
    router.middlewares.add(LogRequestsMiddleware(.debug))  // at info, a line per request costs more than many requests do
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(ProblemMiddleware())
    // Static files need no session: served before the session is looked up.
    router.middlewares.add(FileMiddleware(PageRenderer.resources.appendingPathComponent("static").path, urlBasePath: "/static"))
    router.middlewares.add(AuthMiddleware(sessions: services.sessions))
    // Errors on page addresses become HTML pages in the person's language.
    router.middlewares.add(PageErrorMiddleware(pages: pages))

    HealthRoutes(pool: services.pool, draining: services.draining).register(on: router)

    var api = APIRouter(router: router, table: RouteTable())
    if !services.organisationCheck {
        let organisations = services.organisations
        api.uncheckedOrganisation = { try await organisations.find(slug: $0) }
    }
    OpenAPIDocument.register(on: api)
    AuthRoutes(services: services).register(on: api)
    CatalogueRoutes(services: services).register(on: api)
    PlatformOrganisationRoutes(services: services).register(on: api)
    UserRoutes(services: services).register(on: api)
    PasswordRoutes(services: services).register(on: api)
    SecondFactorRoutes(services: services).register(on: api)
    GoalRoutes(services: services).register(on: api)
    CheckInRoutes(services: services).register(on: api)
    ProcurementRoutes(services: services).register(on: api)
    TaskRoutes(services: services).register(on: api)
    OverviewRoutes(services: services).register(on: api)
    AuditRoutes(services: services).register(on: api)
    PlatformAuditRoutes(services: services, pages: pages).register(on: api)
    NotificationRoutes(services: services).register(on: api)
    MailRoutes(services: services).register(on: api)
    WorkshopRoutes(services: services).register(on: api)
    api.answerOtherMethods()

    let web = WebRouter(router: router, pages: pages, services: services, table: RouteTable())
    SignInPages(services: services, pages: pages).register(on: web)
    GoalPages(services: services, pages: pages).register(on: web)
    GoalPage(services: services, pages: pages).register(on: web)
    GoalForms(services: services, pages: pages).register(on: web)
    GoalSchedulePage(services: services, pages: pages).register(on: web)
    GoalReschedulePage(services: services, pages: pages).register(on: web)
    GoalIndicatorsPage(services: services, pages: pages).register(on: web)
    HelpPages(services: services, pages: pages).register(on: web)
    SettingsPage(services: services, pages: pages).register(on: web)
    CatalogueDraftPages(services: services, pages: pages).register(on: web)
    TaskEditPage(services: services, pages: pages).register(on: web)
    CheckInPages(services: services, pages: pages).register(on: web)
    MyWorkPage(services: services, pages: pages).register(on: web)
    TaskForms(services: services, pages: pages).register(on: web)
    FunnelPage(services: services, pages: pages).register(on: web)
    NextActionsPage(services: services, pages: pages).register(on: web)
    OverviewPage(services: services, pages: pages).register(on: web)
    ProcurementPages(services: services, pages: pages).register(on: web)
    ProcurementDetailPage(services: services, pages: pages).register(on: web)
    CataloguePages(services: services, pages: pages).register(on: web)
    UserPages(services: services, pages: pages).register(on: web)
    PasswordPages(services: services, pages: pages).register(on: web)
    AuditPage(services: services, pages: pages).register(on: web)
    ExportPages(services: services, pages: pages).register(on: web)
    OrganisationPages(services: services, pages: pages).register(on: web)
    CatalogueEditorPages(services: services, pages: pages).register(on: web)
    RollupPage(services: services, pages: pages).register(on: web)
    PlatformAuditRoutes(services: services, pages: pages).register(on: web)
    NotificationPages(services: services, pages: pages).register(on: web)
    UnsubscribePage(services: services, pages: pages).register(on: web)
    MailPage(services: services, pages: pages).register(on: web)
    WorkshopPages(services: services, pages: pages).register(on: web)
    return (router, api.table, web.table)
}
