import Hummingbird

/// The answer to a change that ended all of a person's sessions and started a new one (a
/// password change, the second factor turned on): the new token, in the body for API clients
/// and as the session cookie for browsers.
enum SessionRenewal {
    struct Output: Encodable {
        let token: String
    }

    static func response(_ token: String, sessions: SessionStore, context: AppRequestContext) throws -> Response {
        let cookie = SessionCookie.set(token, seconds: Int(sessions.lifetime.components.seconds), secure: context.secure)
        return try JSONOutput.response(Output(token: token), headers: [.setCookie: cookie])
    }
}
