import Metrics

/// The pool's figures as swift-metrics instruments (exported by whatever backend is bootstrapped).
struct PostgresPoolMetrics: Sendable {
    let open: Gauge
    let idle: Gauge
    let inUse: Gauge
    let waiting: Gauge
    let timeouts: Counter
    let replaced: Counter
    let opened: Counter
    let acquireTime: Metrics.Timer

    init(prefix: String) {
        open = Gauge(label: "\(prefix)_connections_open")
        idle = Gauge(label: "\(prefix)_connections_idle")
        inUse = Gauge(label: "\(prefix)_connections_in_use")
        waiting = Gauge(label: "\(prefix)_waiters")
        timeouts = Counter(label: "\(prefix)_acquire_timeouts_total")
        replaced = Counter(label: "\(prefix)_connections_discarded_total")
        opened = Counter(label: "\(prefix)_connections_opened_total")
        acquireTime = Metrics.Timer(label: "\(prefix)_acquire_seconds")
    }
}
