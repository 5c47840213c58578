import HTTPTypes
import Hummingbird
import Logging

/// The context every request carries: Hummingbird's core storage plus the request id.
/// (Identity, organisation and role are added by the sign-in layer's child contexts.)
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id echoed in `X-Request-Id` and attached to every log line of the request.
    public var requestID: String = ""
    /// Who is calling, when the request carried a valid session (set by `AuthMiddleware`).
    public var identity: Identity?
    /// The raw session token the request carried, for sign-out.
    public var sessionToken: String?
    /// The session came from the cookie, which browsers attach to cross-site requests too.
    public var sessionFromCookie = false
    /// The peer's IP address (the sign-in throttle counts per address); "unknown" without one.
    public var clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
