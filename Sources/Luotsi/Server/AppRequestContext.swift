import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging

/// The context every request carries: Hummingbird's core storage plus the request id.
/// (Identity, organisation and role are added by the sign-in layer's child contexts.)
public struct AppRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id echoed in `X-Request-Id` and attached to every log line of the request.
    public var requestID: String = ""
    /// Who is calling, when the request carried a valid session (set by `AuthMiddleware`).
    public var identity: Identity?
    /// The raw session token the request carried, for sign-out.
    public var sessionToken: String?
    /// The session came from the cookie, which browsers attach to cross-site requests too.
    public var sessionFromCookie = false
    /// The client's address as the sign-in throttle counts it (`IPAddress.throttleKey`): the
    /// TCP peer, or the client a trusted proxy names (set by `ClientMiddleware`); "unknown"
    /// without one.
    public var clientAddress: String
    /// The TCP peer, as the connection reports it.
    public let peerAddress: IPAddress?
    /// The browser reached Luotsi over HTTPS (configured, or said by a trusted proxy): cookies
    /// are `Secure` and carry the `__Host-` prefix.
    public var secure = false
    /// Where a WebSocket route leaves its handler for the upgrade (`WorkshopLive`).
    public let webSocket = WebSocketHandlerReference<AppRequestContext>()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        self.clientAddress = peerAddress?.throttleKey ?? "unknown"
    }
}
