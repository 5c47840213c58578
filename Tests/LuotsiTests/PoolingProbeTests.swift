import Foundation
import Postgres
import Testing

@testable import Luotsi

@Suite("Finding a transaction pooler in the way")
struct PoolingProbeTests {
    @Test("PostgreSQL itself is not transaction-pooled; PgBouncer in transaction mode is, and the migrator refuses it")
    func probe() async throws {
        #expect(try await TransactionPoolingProbe.isTransactionPooled(conninfo: TestSupport.conninfo) == false)
        // deploy/test runs this suite a second time through PgBouncer (LUOTSI_TEST_POOLER_URL).
        guard let pooled = TestSupport.poolerConninfo else { return }
        #expect(try await TransactionPoolingProbe.isTransactionPooled(conninfo: pooled))
        let pool = TestSupport.pool(size: 2)
        let services = try AppServices(
            pool: pool, sqlDirectory: TestSupport.sqlDirectory,
            platformSchema: try #require(SchemaName("t_platform_" + TestSupport.uniqueSuffix())))
        do {
            _ = try await services.migrate()
            Issue.record("the migrator ran through transaction pooling")
        } catch MigrationError.throughTransactionPooling {
            // refused, as it must be
        }
        await pool.close()
    }
}
