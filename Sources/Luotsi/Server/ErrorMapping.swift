import HTTPTypes
import Hummingbird
import Logging
import Postgres

/// The one place where errors become HTTP: every thrown error leaves as problem+json.
/// What the client sees is public text; the full error is logged.
public enum ErrorMapping {
    /// Status, public detail and field for an error.
    public static func classify(_ error: any Error) -> (status: HTTPResponse.Status, detail: String, field: String?) {
        switch error {
        case let error as LuotsiError:
            switch error {
            case .invalid(let field, let reason): return (.unprocessableContent, reason, field)
            case .malformed: return (.badRequest, error.description, nil)
            case .malformedField(let field, let reason): return (.badRequest, reason, field)
            case .unauthenticated: return (.unauthorized, error.description, nil)
            case .secondFactorRequired: return (.unauthorized, error.description, "code")
            case .forbidden: return (.forbidden, error.description, nil)
            case .notFound: return (.notFound, error.description, nil)
            case .unknownReference(let field, let what): return (.notFound, what, field)
            case .wrongSecret(let field, let reason): return (.forbidden, reason, field)
            case .conflict: return (.conflict, error.description, nil)
            case .preconditionFailed: return (.preconditionFailed, error.description, nil)
            case .preconditionRequired: return (.preconditionRequired, error.description, nil)
            case .throttled: return (.tooManyRequests, error.description, nil)
            case .unavailable(let reason): return (.serviceUnavailable, reason, nil)
            case .databaseNotReady: return (.serviceUnavailable, "the service is starting or under maintenance", nil)
            case .methodNotAllowed: return (.methodNotAllowed, error.description, nil)
            }
        case let error as PostgresError:
            return classify(postgres: error)
        case let error as DecodingError:
            return (.badRequest, "the request body is not valid JSON of the expected shape: \(describe(error))", nil)
        case let error as any HTTPResponseError:
            return (error.status, error.status.reasonPhrase, nil)
        default:
            return (.internalServerError, "an internal error occurred; it has been logged", nil)
        }
    }

    /// SQLSTATE classes: 23505/23503 conflict, 22xxx invalid value, connection trouble 503.
    static func classify(postgres error: PostgresError) -> (status: HTTPResponse.Status, detail: String, field: String?) {
        switch error.kind {
        case .poolExhausted, .poolClosed, .connection:
            return (.serviceUnavailable, "the database is busy or unavailable; try again shortly", nil)
        case .decoding, .nestedAcquisition:
            return (.internalServerError, "an internal error occurred; it has been logged", nil)
        case .server:
            break
        }
        let state = error.sqlState ?? ""
        if state == "23505" || state == "23503" { return (.conflict, "the change conflicts with existing data", nil) }
        if state.hasPrefix("22") || state == "23514" {
            return (.unprocessableContent, "a value is out of range or malformed", error.column)
        }
        // 57014: statement_timeout; 25P03: idle_in_transaction_session_timeout; 55P03: lock_timeout.
        if state.hasPrefix("08") || state.hasPrefix("53") || ["57P01", "57014", "25P03", "55P03"].contains(state) {
            return (.serviceUnavailable, "the database is busy or unavailable; try again shortly", nil)
        }
        return (.internalServerError, "an internal error occurred; it has been logged", nil)
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.isEmpty ? "malformed JSON" : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: "malformed JSON"
        }
    }
}

/// Catches every error below it and answers with problem+json.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// Failures repeat for every request during an outage: one line a kind, with a count.
    static let failures = RepeatLimiter()

    public init() {}

    /// Logs a server-side failure, leaving out repeats of the same kind for a few seconds.
    static func logFailure(_ message: Logger.Message, error: any Error, path: String, logger: Logger) {
        let text = LogText.escaped(String(reflecting: error))
        guard let left = failures.admit(String(text.prefix(200))) else { return }
        logger.error(message, metadata: ["error": "\(text)", "path": "\(LogText.escaped(path))", "similar_left_out": "\(left)"])
    }

    /// How long a client should wait before trying again, for the statuses that mean "later".
    static func retryAfter(_ status: HTTPResponse.Status) -> String? {
        switch status {
        case .serviceUnavailable: "2"
        case .tooManyRequests: "30"
        default: nil
        }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (status, detail, field) = ErrorMapping.classify(error)
            if status.code >= 500 {
                Self.logFailure("request failed", error: error, path: request.uri.path, logger: context.logger)
            } else {
                context.logger.info("request refused", metadata: ["status": "\(status.code)", "error": "\(LogText.escaped("\(error)"))"])
            }
            var headers: HTTPFields = [:]
            if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"luotsi\"" }
            if let wait = Self.retryAfter(status) { headers[.retryAfter] = wait }
            if case LuotsiError.methodNotAllowed(let allowed) = error { headers[.allow] = allowed.joined(separator: ", ") }
            return ProblemDetails(status: status, detail: detail, field: field, requestId: context.requestID).response(headers: headers)
        }
    }
}
