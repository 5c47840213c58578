import HTTPTypes
import Hummingbird

/// Read-your-writes across instances. A response to a request that wrote carries the
/// organisation's new data version (`DataVersionToken`) in the `Luotsi-Data-Version` header and
/// the `luotsi_seen` cookie; a request that brings it back (header first) is served nothing older
/// from any instance's read-model cache. Without it a read is at most as stale as a notification
/// is slow (milliseconds), and the person's own instance knows of its writes at once.
public struct ReadYourWritesMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public static let headerName = HTTPField.Name("Luotsi-Data-Version") ?? .xContentTypeOptions
    public static let cookieName = "luotsi_seen"
    /// The token matters only until every instance has heard of the write: seconds at most.
    static let cookieSeconds = 600

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let seen =
            request.headers[Self.headerName].flatMap(DataVersionToken.init)
            ?? request.cookies[Self.cookieName].flatMap { DataVersionToken($0.value) }
        let written = WrittenVersion()
        var response = try await DataVersionToken.$seen.withValue(seen) {
            try await DataVersionToken.$written.withValue(written) { try await next(request, context) }
        }
        if let token = written.value {
            response.headers[Self.headerName] = token.text
            response.headers.append(
                HTTPField(
                    name: .setCookie,
                    value: "\(Self.cookieName)=\(token.text); Path=/; Max-Age=\(Self.cookieSeconds); HttpOnly; SameSite=Lax"
                        + (context.secure ? "; Secure" : "")))
        }
        return response
    }
}
