import HTTPTypes
import Hummingbird
import Postgres

/// `/health/live` (the process answers) and `/health/ready` (the database answers). `/metrics`
/// has a listener of its own (`buildMetricsApplication`).
struct HealthRoutes {
    /// Probes repeat every few seconds during an outage: one warning a kind, with a count.
    static let failures = RepeatLimiter()

    let pool: PostgresPool
    let draining: Draining

    func register(on router: Router<AppRequestContext>) {
        router.get("/health/live") { _, _ in
            Self.json(#"{"status":"ok"}"#)
        }
        router.get("/health/ready") { _, context in
            if draining.isDraining {
                return ProblemDetails(status: .serviceUnavailable, detail: "the process is shutting down", requestId: context.requestID)
                    .response(headers: [.retryAfter: "1"])
            }
            do {
                try await pool.query("SELECT 1")
                return Self.json(#"{"status":"ok","database":"ok"}"#)
            } catch {
                if let left = Self.failures.admit("\(error)") {
                    context.logger.warning("readiness check failed", metadata: ["error": "\(error)", "similar_left_out": "\(left)"])
                }
                return ProblemDetails(status: .serviceUnavailable, detail: "the database is unavailable", requestId: context.requestID)
                    .response(headers: [.retryAfter: "2"])
            }
        }
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
