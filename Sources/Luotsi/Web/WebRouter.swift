import Foundation
import HTTPTypes
import Hummingbird

/// Every page route is registered through here. Like `APIRouter`, each names the guard it needs
/// (open, an organisation action, a platform action) and the one permission table decides.
/// Before a handler runs, the language is settled (and a `?lang=` choice stored) and a post's
/// CSRF token is checked: a post without the right one is refused with 403 and changes nothing.
public struct WebRouter {
    let router: Router<AppRequestContext>
    let pages: PageRenderer
    let services: AppServices

    public typealias Handler<Caller> = @Sendable (WebRequest, Caller) async throws -> Response

    /// A page anyone may open (the sign-in page).
    func open(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler<Void>) {
        add(method, path) { web in try await handler(web, ()) }
    }

    /// A page for anyone signed in (their own profile).
    func signedIn(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler<Identity>) {
        add(method, path) { web in
            guard let identity = web.identity else { throw LuotsiError.unauthenticated }
            return try await handler(web, identity)
        }
    }

    /// A page of the caller's own organisation whose role allows `action`.
    func member(_ method: HTTPRequest.Method, _ path: String, _ action: Action, _ handler: @escaping Handler<Identity.Member>) {
        add(method, path) { web in
            guard let identity = web.identity else { throw LuotsiError.unauthenticated }
            guard case .member(let member) = identity else {
                throw LuotsiError.forbidden("platform administrators do not read organisations' own content")
            }
            guard Permissions.allows(AccessRole(identity), action) else { throw LuotsiError.forbidden() }
            return try await handler(web, member)
        }
    }

    /// A platform administrator's page.
    func platform(_ method: HTTPRequest.Method, _ path: String, _ action: Action, _ handler: @escaping Handler<Identity.PlatformAdmin>) {
        add(method, path) { web in
            guard let identity = web.identity else { throw LuotsiError.unauthenticated }
            guard case .platformAdmin(let admin) = identity, Permissions.allows(.platformAdmin, action) else {
                throw LuotsiError.forbidden()
            }
            return try await handler(web, admin)
        }
    }

    private func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (WebRequest) async throws -> Response) {
        let preparation = WebPreparation(pages: pages, services: services)
        router.on(RouterPath(path), method: method) { request, context in
            try await handler(try await preparation.prepare(request, context))
        }
    }
}

/// What every page request goes through before its handler.
struct WebPreparation: Sendable {
    let pages: PageRenderer
    let services: AppServices

    /// Settles language and CSRF, and reads a post's form.
    func prepare(_ request: Request, _ context: AppRequestContext) async throws -> WebRequest {
        var identity = context.identity
        var cookies: [String] = []
        let secure = pages.secureCookies || request.headers[.forwardedProto]?.lowercased() == "https"
        if let chosen = LanguageChoice.requested(request) {
            cookies.append(LanguageChoice.cookie(chosen, secure: secure))
            if let current = identity, current.language != chosen {
                identity = try await services.profiles.setLanguage(chosen, for: current)
            }
        }
        let language = LanguageChoice.resolve(request, identity: identity)
        let csrf: String
        if identity != nil, let session = context.sessionToken {
            csrf = CSRF.token(forSession: session)
        } else if let existing = request.cookies[CSRF.preSessionCookie]?.value, existing.count == 43 {
            csrf = existing
        } else {
            csrf = CSRF.randomToken()
            cookies.append(
                "\(CSRF.preSessionCookie)=\(csrf); Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""))
        }
        var form = FormData()
        if request.method == .post {
            try WebPreparation.checkOrigin(request)
            form = try await FormData.read(request)
            guard CSRF.matches(form.values[CSRF.fieldName]?.first, csrf) else {
                throw LuotsiError.forbidden("the form's security token is missing or wrong; reload the page and try again")
            }
        }
        return WebRequest(
            request: request, context: context, identity: identity, language: language, strings: pages.translations.strings(language),
            csrf: csrf, form: form, cookies: cookies, secureCookies: secure)
    }

    /// A browser that names another origin for a post is refused whatever the token says.
    static func checkOrigin(_ request: Request) throws {
        guard let origin = request.headers[.origin], origin != "null" else { return }
        let host = request.head.authority ?? ""
        guard let url = URL(string: origin), let originHost = url.host else { throw LuotsiError.forbidden() }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        guard originAuthority == host || originHost == host else {
            throw LuotsiError.forbidden("the form was sent from another site")
        }
    }
}
