import Foundation
import Postgres
import Testing

/// The test database: `DATABASE_URL` or the `PG*` variables (as `deploy/test` sets them), else the
/// defaults of docker-compose.yml. If it cannot be reached, tests fail, loudly: a skipped
/// integration test is a hole CI cannot see.
enum TestDatabase {
    static var conninfo: String {
        PostgresConfiguration.conninfo(environment: ProcessInfo.processInfo.environment, fallback: PostgresConfiguration.composeDefault)
    }

    static func connect(preparedStatements: Int = 0) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(conninfo: conninfo, preparedStatements: preparedStatements)
        } catch {
            Issue.record(
                "cannot reach the test database (\(PostgresConfiguration.describe(environment: ProcessInfo.processInfo.environment))): \(error). Run the tests with deploy/test, which starts one."
            )
            throw error
        }
    }

    /// Pooled connections keep prepared statements, as `serve`'s do.
    static func pool(size: Int = 8, timeout: Duration = .seconds(10), preparedStatements: Int = 100) -> PostgresPool {
        PostgresPool(
            configuration: .init(conninfo: conninfo, maxConnections: size, acquireTimeout: timeout, preparedStatements: preparedStatements))
    }

    /// A table name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
    }
}
