import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics. Bootstrapped once, on first use,
/// because swift-metrics allows a single bootstrap per process.
public enum Observability {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Installs the registry as swift-metrics' backend (idempotent).
    public static func bootstrap() { _ = registry }

    /// The metrics in Prometheus' text exposition format.
    public static func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
