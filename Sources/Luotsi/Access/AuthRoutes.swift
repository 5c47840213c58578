import Foundation
import HTTPTypes
import Hummingbird

/// `POST /auth/login`, `POST /auth/logout`, `GET|PATCH /me`.
struct AuthRoutes {
    let services: AppServices

    struct LoginInput: JSONInput {
        static let fields: Set<String> = ["organisation", "email", "password", "code"]
        var organisation: String?
        var email: String
        var password: String
        /// The authenticator app's current code, for an account with the second factor on.
        var code: String?
    }

    struct LoginOutput: Encodable {
        let token: String
        let user: PublicUser
    }

    struct MeInput: JSONInput {
        static let fields: Set<String> = ["language"]
        var language: Patch<String>
    }

    func register(on api: APIRouter) {
        api.open(.post, "/api/v1/auth/login") { request, context, _ in
            // Another site must not sign a visitor's browser into an account of its choosing.
            try SameOrigin.require(request)
            let input = try await JSONBody.decode(LoginInput.self, from: request)
            guard input.password.count <= 200, input.email.count <= 254 else { throw LuotsiError.unauthenticated }
            let signedIn = try await services.auth.login(
                organisation: input.organisation, email: input.email, password: input.password, code: input.code,
                address: context.clientAddress, device: request.cookies[AuthService.deviceCookieName(secure: context.secure)]?.value,
                logger: context.logger)
            let lifetime = Int(services.sessions.lifetime.components.seconds)
            var response = try JSONOutput.response(LoginOutput(token: signedIn.token, user: signedIn.identity.publicUser))
            response.headers.append(
                HTTPField(name: .setCookie, value: SessionCookie.set(signedIn.token, seconds: lifetime, secure: context.secure)))
            response.headers.append(HTTPField(name: .setCookie, value: AuthService.deviceCookie(signedIn.device, secure: context.secure)))
            return response
        }
        api.signedIn(.post, "/api/v1/auth/logout") { _, context, _ in
            if let token = context.sessionToken { try await services.sessions.revoke(token) }
            var response = JSONOutput.empty()
            response.headers[.setCookie] = SessionCookie.cleared(secure: context.secure)
            return response
        }
        api.signedIn(.get, "/api/v1/me") { _, _, identity in
            try JSONOutput.response(identity.publicUser)
        }
        api.signedIn(.patch, "/api/v1/me") { request, _, identity in
            let input = try await JSONBody.decode(MeInput.self, from: request)
            var updated = identity
            if input.language.isPresent {
                let language = try input.language.value.map { text -> Language in
                    guard let language = Language(rawValue: text) else {
                        throw LuotsiError.invalid(field: "language", reason: "must be fi, sv, en or null")
                    }
                    return language
                }
                updated = try await services.profiles.setLanguage(language, for: identity)
            }
            return try JSONOutput.response(updated.publicUser)
        }
    }
}
