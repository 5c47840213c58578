import Foundation
import HTTPTypes
import Hummingbird

/// Turns errors on page addresses (everything outside `/api/`, `/health/`, `/metrics` and
/// `/static/`, whose not-found must reach the file middleware) into
/// HTML in the person's language: not signed in → the sign-in page (coming back afterwards);
/// anything else → an error page with the status's public text and the request id, no internals.
/// The status comes from the one error mapping (`ErrorMapping.classify`).
public struct PageErrorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let pages: PageRenderer

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !Self.isMachinePath(path) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch {
            let (status, _, field) = ErrorMapping.classify(error)
            if status == .unauthorized {
                let back =
                    request.method == .get && path != "/"
                    ? "/?next=\(path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" : "/"
                return PageRenderer.redirect(back)
            }
            if status.code >= 500 {
                ProblemMiddleware.logFailure("page failed", error: error, path: path, logger: context.logger)
            } else {
                context.logger.info("page refused", metadata: ["status": "\(status.code)", "error": "\(LogText.escaped("\(error)"))"])
            }
            return render(status: status, request: request, context: context, field: field.map { ($0, error) })
        }
    }

    static func isMachinePath(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path == "/api" || path.hasPrefix("/health/") || path == "/metrics" || path.hasPrefix("/static/")
    }

    /// The error page; for an error about one field, it names the field and says what was wrong
    /// with it in the page's language.
    func render(status: HTTPResponse.Status, request: Request, context: Context, field: (name: String, error: any Error)? = nil)
        -> Response
    {
        let language = LanguageChoice.resolve(request, identity: context.identity)
        let strings = pages.translations.strings(language)
        let known: Set<Int> = [400, 403, 404, 409, 412, 422, 429, 503]
        let code = known.contains(status.code) ? status.code : 500
        let web = WebRequest(
            request: request, context: context, identity: context.identity, language: language, strings: strings,
            csrf: context.sessionToken.map(CSRF.token(forSession:)) ?? "", form: FormData(), cookies: [],
            secureCookies: context.secure)
        let page = ErrorPage(
            status: status.code, heading: strings["error_\(code)_title"], text: strings["error_\(code)_text"],
            field: field?.name, fieldMessage: field.map { Self.fieldMessage($0.name, $0.error, strings: strings) },
            requestId: context.requestID)
        var response = pages.response("error", title: page.heading, page: page, web: web, status: status)
        if let wait = ProblemMiddleware.retryAfter(status) { response.headers[.retryAfter] = wait }
        return response
    }
}

extension PageErrorMiddleware {
    /// What was wrong with `field`, translated where the field has a message of its own.
    static func fieldMessage(_ field: String, _ error: any Error, strings: Strings) -> String {
        if case LuotsiError.malformedField = error { return strings.format("err_malformed_field", ["field": field]) }
        return FormErrors.entries(error, strings: strings, defaultField: field)?.first?.message ?? ""
    }
}

/// The error page's model.
struct ErrorPage: Sendable {
    let status: Int
    let heading: String
    let text: String
    /// The field the error is about, when it is about one, and what was wrong with it.
    let field: String?
    let fieldMessage: String?
    let requestId: String
}
