import HTTPTypes
import Hummingbird
import Synchronization

/// Every API route is registered through here, so that (1) each names the guard it needs —
/// open, signed in, an organisation action or a platform action — checked before the handler
/// runs, and (2) the list of routes is known, for the OpenAPI completeness test.
public struct APIRouter {
    public typealias Handler<Caller> = @Sendable (Request, AppRequestContext, Caller) async throws -> Response

    let router: Router<AppRequestContext>
    public let table: RouteTable
    /// Test-only: with the organisation check off, finds the organisation a path names.
    var uncheckedOrganisation: (@Sendable (String) async throws -> Organisation)? = nil

    /// A route open to anyone.
    public func open(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler<Void>) {
        add(method, path, .open) { request, context in try await handler(request, context, ()) }
    }

    /// A route for any signed-in user.
    public func signedIn(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler<Identity>) {
        add(method, path, .signedIn) { request, context in try await handler(request, context, try RouteGuard.signedIn(context.identity)) }
    }

    /// A route under `/orgs/:org`: the caller must be a member of exactly that organisation
    /// (else 404, revealing nothing) whose role allows `action` (else 403).
    public func organisation(_ method: HTTPRequest.Method, _ path: String, _ action: Action, _ handler: @escaping Handler<Identity.Member>)
    {
        let uncheckedOrganisation = self.uncheckedOrganisation
        add(method, path, .member(action)) { request, context in
            if let uncheckedOrganisation {
                let member = try RouteGuard.member(context.identity, action)
                // The test switch: trust the path, and let PostgreSQL alone keep the organisations apart.
                let named = try await uncheckedOrganisation(context.parameters.get("org") ?? "")
                return try await handler(
                    request, context,
                    .init(
                        id: member.id, email: member.email, name: member.name, role: member.role, organisation: named,
                        language: member.language, databaseRole: member.organisation.schema))
            }
            let member = try RouteGuard.member(context.identity, action, organisation: context.parameters.get("org") ?? "")
            return try await handler(request, context, member)
        }
    }

    /// A platform administrator's route.
    public func platform(
        _ method: HTTPRequest.Method, _ path: String, _ action: Action, _ handler: @escaping Handler<Identity.PlatformAdmin>
    ) {
        add(method, path, .platform(action)) { request, context in
            try await handler(request, context, try RouteGuard.platform(context.identity, action))
        }
    }

    /// Answers 405 with `Allow` for every other method on each registered address, so that a
    /// client learns the address exists rather than seeing 404. Called after the last route.
    public func answerOtherMethods() {
        // "QUERY" is a constant token, so the initialiser cannot fail: no input reaches this.
        let query = HTTPRequest.Method("QUERY") ?? .get
        let candidates: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .trace, query]
        for (path, methods) in table.methodsByPath {
            let allowed = methods.map(\.rawValue)
            for method in candidates where !methods.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in throw LuotsiError.methodNotAllowed(allowed: allowed) }
            }
        }
    }

    private func add(
        _ method: HTTPRequest.Method, _ path: String, _ access: RouteAccess,
        _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
        table.record(method: method, path: path, access: access)
        router.on(RouterPath(path), method: method) { request, context in
            try CrossSiteGuard.check(request, context)
            return try await handler(request, context)
        }
    }
}

/// Who may call a route: the guard it was registered with.
public enum RouteAccess: Sendable, CustomStringConvertible {
    case open
    case signedIn
    case member(Action)
    case platform(Action)

    public var description: String {
        switch self {
        case .open: "open"
        case .signedIn: "signed-in"
        case .member(let action): "member:\(action.rawValue)"
        case .platform(let action): "platform:\(action.rawValue)"
        }
    }
}

/// The registered routes (the API's, or the pages'), in registration order.
public final class RouteTable: Sendable {
    public struct Entry: Sendable {
        public let method: HTTPRequest.Method
        /// In the router's `:name` form.
        public let path: String
        public let access: RouteAccess
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    public var all: [Entry] { entries.withLock { $0 } }

    /// As `GET /api/v1/orgs/{org}/goals` style strings (OpenAPI's form).
    public var routes: [String] {
        all.map { entry in
            let openAPIPath = entry.path.split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(entry.method.rawValue) \(openAPIPath)"
        }
    }

    /// Each registered address (in the router's `:name` form) with its methods, in registration order.
    var methodsByPath: [(path: String, methods: [HTTPRequest.Method])] {
        var order: [String] = []
        var methods: [String: [HTTPRequest.Method]] = [:]
        for entry in all {
            if methods[entry.path] == nil { order.append(entry.path) }
            methods[entry.path, default: []].append(entry.method)
        }
        return order.map { ($0, methods[$0] ?? []) }
    }

    func record(method: HTTPRequest.Method, path: String, access: RouteAccess) {
        entries.withLock { $0.append(Entry(method: method, path: path, access: access)) }
    }
}

/// A browser attaches the session cookie to any site's request, so a change made with the cookie
/// must show that it comes from Luotsi's own pages: no other site's `Origin`, and a JSON body
/// (which another site can only send after a CORS preflight that Luotsi never grants). Bearer
/// tokens are never sent on their own and need no such proof.
enum CrossSiteGuard {
    static func check(_ request: Request, _ context: AppRequestContext) throws {
        guard context.sessionFromCookie, ![.get, .head, .options].contains(request.method) else { return }
        try SameOrigin.require(request)
        let type = request.headers[.contentType]?.lowercased() ?? ""
        let sameOrigin = request.headers[.origin] != nil
        guard type.hasPrefix("application/json") || (type.isEmpty && sameOrigin) else {
            throw LuotsiError.forbidden("a change made with the session cookie must send JSON from this site")
        }
    }
}
