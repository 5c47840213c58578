import HTTPTypes
import Hummingbird

/// Reads the session from `Authorization: Bearer …` or the session cookie (`SessionCookie`) and puts the
/// identity on the context. It never refuses a request itself: the route guards do.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    /// The cookie's name over plain HTTP (`SessionCookie`).
    public static let cookieName = SessionCookie.plainName

    let sessions: SessionStore

    public init(sessions: SessionStore) { self.sessions = sessions }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let (token, fromCookie) = Self.token(in: request, secure: context.secure) {
            context.sessionToken = token
            context.sessionFromCookie = fromCookie
            context.identity = try await sessions.resolve(token)
            if let identity = context.identity {
                context.logger[metadataKey: "user_id"] = .string(identity.userID.uuidString.lowercased())
            }
        }
        return try await next(request, context)
    }

    /// The token and whether it came from the cookie (which a browser sends on its own).
    static func token(in request: Request, secure: Bool) -> (String, fromCookie: Bool)? {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            return (String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), false)
        }
        return request.cookies[SessionCookie.name(secure: secure)].map { ($0.value, true) }
    }
}
