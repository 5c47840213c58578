import HTTPTypes
import Hummingbird

/// Settles who the client is before anything reads it: its address (for the sign-in throttle
/// and the logs) and whether it came over HTTPS. Behind a trusted proxy both come from the
/// proxy's `X-Forwarded-For` and `X-Forwarded-Proto`; from anyone else those headers are ignored.
public struct ClientMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let trustedProxies: TrustedProxies
    /// `LUOTSI_SECURE_COOKIES`: every request counts as HTTPS (TLS ends before Luotsi).
    let alwaysSecure: Bool

    public init(trustedProxies: TrustedProxies, alwaysSecure: Bool) {
        self.trustedProxies = trustedProxies
        self.alwaysSecure = alwaysSecure
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let fromTrustedProxy = context.peerAddress.map(trustedProxies.trusts) ?? false
        if fromTrustedProxy {
            let client = trustedProxies.client(peer: context.peerAddress, forwardedFor: request.headers[values: .forwardedFor])
            context.clientAddress = client?.throttleKey ?? "unknown"
        }
        let forwardedHTTPS = fromTrustedProxy && request.headers[.forwardedProto]?.lowercased() == "https"
        context.secure = alwaysSecure || forwardedHTTPS
        return try await next(request, context)
    }
}
