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
    /// Every page route with its guard (for `luotsi routes` and the page fuzzer).
    let table: RouteTable

    public typealias Handler<Caller> = @Sendable (WebRequest, Caller) async throws -> Response

    /// A page anyone may open (the sign-in page).
    func open(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler<Void>) {
        add(method, path, .open) { web in try await handler(web, ()) }
    }

    /// A page for anyone signed in (their own profile).
    func signedIn(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler<Identity>) {
        add(method, path, .signedIn) { web in try await handler(web, try RouteGuard.signedIn(web.identity)) }
    }

    /// A page of the caller's own organisation whose role allows `action`.
    func member(_ method: HTTPRequest.Method, _ path: String, _ action: Action, _ handler: @escaping Handler<Identity.Member>) {
        add(method, path, .member(action)) { web in try await handler(web, try RouteGuard.member(web.identity, action)) }
    }

    /// A page whose post needs no session and no form token: the address itself, signed by the
    /// server, is the authority (an unsubscribe link, which a mail provider posts on its own,
    /// RFC 8058). Its handler must change nothing beyond what the signed address names.
    func signedAddress(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler<Void>) {
        add(method, path, .open, checkingFormToken: false) { web in try await handler(web, ()) }
    }

    /// A platform administrator's page.
    func platform(_ method: HTTPRequest.Method, _ path: String, _ action: Action, _ handler: @escaping Handler<Identity.PlatformAdmin>) {
        add(method, path, .platform(action)) { web in try await handler(web, try RouteGuard.platform(web.identity, action)) }
    }

    private func add(
        _ method: HTTPRequest.Method, _ path: String, _ access: RouteAccess, checkingFormToken: Bool = true,
        _ handler: @escaping @Sendable (WebRequest) async throws -> Response
    ) {
        table.record(method: method, path: path, access: access)
        let preparation = WebPreparation(pages: pages, services: services)
        router.on(RouterPath(path), method: method) { request, context in
            try await handler(try await preparation.prepare(request, context, checkingFormToken: checkingFormToken))
        }
    }
}

/// What every page request goes through before its handler.
struct WebPreparation: Sendable {
    let pages: PageRenderer
    let services: AppServices

    /// Settles language and CSRF, and reads a post's form.
    func prepare(_ request: Request, _ context: AppRequestContext, checkingFormToken: Bool = true) async throws -> WebRequest {
        var identity = context.identity
        var cookies: [String] = []
        let secure = context.secure
        // A choice in the address is shown at once; it is remembered only when the person made
        // it on this site, so that a link from another site cannot change their profile.
        if let chosen = LanguageChoice.requested(request), SameOrigin.isSameSiteNavigation(request) {
            cookies.append(LanguageChoice.cookie(chosen, secure: secure))
            if let current = identity, current.language != chosen {
                identity = try await services.profiles.setLanguage(chosen, for: current)
            }
        }
        let language = LanguageChoice.resolve(request, identity: identity)
        let csrf: String
        if identity != nil, let session = context.sessionToken {
            csrf = CSRF.token(forSession: session)
        } else if let existing = request.cookies[CSRF.preSessionCookie(secure: secure)]?.value, existing.count == 43 {
            csrf = existing
        } else {
            csrf = CSRF.randomToken()
            cookies.append(
                "\(CSRF.preSessionCookie(secure: secure))=\(csrf); Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""))
        }
        var form = FormData()
        if request.method == .post {
            // A signed address may be posted from anywhere (a mail provider's one-click).
            if checkingFormToken { try SameOrigin.require(request) }
            form = try await FormData.read(request)
            guard !checkingFormToken || CSRF.matches(form.values[CSRF.fieldName]?.first, csrf) else {
                throw LuotsiError.forbidden("the form's security token is missing or wrong; reload the page and try again")
            }
        }
        var web = WebRequest(
            request: request, context: context, identity: identity, language: language, strings: pages.translations.strings(language),
            csrf: csrf, form: form, cookies: cookies, secureCookies: secure)
        // The frame's count, through the read-model cache: a page the person opens after a
        // change in the organisation reads it again, any other costs nothing.
        if request.method == .get, case .member(let member) = identity {
            web.unreadNotifications = try await services.readingOrganisation(member, cached: "notifications.unread|\(member.id)") {
                try await NotificationRepository.readUnreadCount(for: member.id).read(on: $0)
            }
        }
        return web
    }
}
