import Foundation
import Hummingbird
import HummingbirdTesting
import Luotsi
import Testing

@Suite("HTTP skeleton: health, metrics, request ids, problem+json")
struct HTTPSkeletonTests {
    @Test("health and readiness answer through the router; metrics only through a listener of their own")
    func healthAndMetrics() async throws {
        let services = try await TestSupport.isolatedServices()
        let app = Application(router: buildRouter(services: services).router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[RequestIDMiddleware.headerName] != nil)
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"database\":\"ok\""))
            }
            // The public router does not serve them.
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
        try await Application(router: buildMetricsRouter()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("postgres_pool_connections_open"))
                #expect(text.contains("hb_requests"))
            }
        }
        try await TestSupport.tearDown(services)
    }

    @Test("unknown API paths are 404 problem+json carrying the caller's request id (other paths are the pages' HTML 404)")
    func notFoundIsProblemJSON() async throws {
        let services = try await TestSupport.isolatedServices()
        let app = Application(router: buildRouter(services: services).router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/no/such/thing", method: .get, headers: [RequestIDMiddleware.headerName: "trace-41"]) {
                response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[RequestIDMiddleware.headerName] == "trace-41")
                #expect(String(buffer: response.body).contains("trace-41"))
            }
            try await client.execute(uri: "/api/v1/no/such/thing", method: .get, headers: [RequestIDMiddleware.headerName: "trace-42"]) {
                response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[RequestIDMiddleware.headerName] == "trace-42")
                let problem = try JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: response.body))
                #expect(problem.status == 404)
                #expect(problem.requestId == "trace-42")
            }
            // A hostile request id is replaced, not echoed.
            try await client.execute(uri: "/health/live", method: .get, headers: [RequestIDMiddleware.headerName: "bad id\r\nx"]) {
                response in
                #expect(response.headers[RequestIDMiddleware.headerName] != "bad id\r\nx")
            }
        }
        try await TestSupport.tearDown(services)
    }

    @Test("readiness is 503 problem+json when the database is unreachable")
    func readinessFailsWithoutDatabase() async throws {
        let services = try await TestSupport.isolatedServices()
        let broken = try AppServices(
            pool: .init(configuration: .init(conninfo: "host=127.0.0.1 port=1 connect_timeout=2", maxConnections: 1)),
            sqlDirectory: TestSupport.sqlDirectory)
        let app = Application(router: buildRouter(services: broken).router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        await broken.pool.close()
        try await TestSupport.tearDown(services)
    }

    @Test("a live server answers over a real socket")
    func liveServer() async throws {
        let services = try await TestSupport.isolatedServices()
        let app = Application(
            router: buildRouter(services: services).router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[RequestIDMiddleware.headerName] != nil)
            }
        }
        try await TestSupport.tearDown(services)
    }
}
