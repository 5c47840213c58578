import Foundation
import Hummingbird

/// `/`: the sign-in page when signed out, the role's home when signed in; `/sign-in`, `/sign-out`.
/// Signing in goes through the same `AuthService` as the API and sets the same session cookie.
struct SignInPages {
    let services: AppServices
    let pages: PageRenderer

    struct SignInPage: Sendable {
        let organisation: String
        let email: String
        let next: String
        let failed: Bool
        var codeNeeded = false
    }

    func register(on web: WebRouter) {
        web.open(.get, "/") { web, _ in
            if let identity = web.identity { return PageRenderer.redirect(Navigation.home(for: identity), cookies: web.cookies) }
            let page = SignInPage(
                organisation: "", email: "", next: LocalPath.safe(RequestValues.query(web.request, "next")), failed: false)
            return pages.response("sign-in", title: web.strings["sign_in_title"], page: page, web: web)
        }
        web.open(.post, "/sign-in") { web, _ in
            let organisation = web.form.text("organisation")?.lowercased()
            let email = web.form.raw("email")
            let password = web.form.raw("password")
            let next = LocalPath.safe(web.form.text("next"))
            do {
                guard password.count <= 200, email.count <= 254, !email.isEmpty else { throw LuotsiError.unauthenticated }
                let signedIn = try await services.auth.login(
                    organisation: organisation, email: email, password: password, code: web.form.text("code"),
                    address: web.context.clientAddress,
                    device: web.request.cookies[AuthService.deviceCookieName(secure: web.secureCookies)]?.value, logger: web.context.logger)
                let identity = signedIn.identity
                // A language chosen before signing in becomes the profile's, unless it has one.
                if identity.language == nil,
                    let chosen = web.request.cookies[LanguageChoice.cookieName].flatMap({ Language(rawValue: $0.value) })
                {
                    _ = try await services.profiles.setLanguage(chosen, for: identity)
                }
                let lifetime = Int(services.sessions.lifetime.components.seconds)
                let cookies = [
                    SessionCookie.set(signedIn.token, seconds: lifetime, secure: web.secureCookies),
                    AuthService.deviceCookie(signedIn.device, secure: web.secureCookies),
                ]
                return PageRenderer.redirect(next.isEmpty ? Navigation.home(for: identity) : next, cookies: cookies)
            } catch let error as LuotsiError {
                let key: String
                let status: HTTPResponse.Status
                switch error {
                case .throttled: (key, status) = ("sign_in_throttled", .tooManyRequests)
                case .forbidden: (key, status) = ("sign_in_suspended", .forbidden)
                case .secondFactorRequired: (key, status) = ("sign_in_code_needed", .unauthorized)
                default: (key, status) = ("sign_in_failed", .unauthorized)
                }
                let codeNeeded = error == .secondFactorRequired
                let page = SignInPage(
                    organisation: organisation ?? "", email: email, next: next, failed: !codeNeeded, codeNeeded: codeNeeded)
                return pages.response(
                    "sign-in", title: web.strings["sign_in_title"], page: page, web: web, status: status,
                    errors: [.init(fieldID: codeNeeded ? "code" : "email", message: web.strings[key])])
            }
        }
        web.open(.post, "/sign-out") { web, _ in
            if let token = web.context.sessionToken { try await services.sessions.revoke(token) }
            return PageRenderer.redirect("/?notice=signed_out", cookies: [SessionCookie.cleared(secure: web.secureCookies)])
        }
    }
}
