import Synchronization

/// Set when the process has been asked to stop: `/health/ready` then answers 503 so that a
/// proxy or orchestrator sends no new work here, while requests keep being served for the
/// grace period before the listener closes (`luotsi serve`, `LUOTSI_SHUTDOWN_GRACE_SECONDS`).
public final class Draining: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { flag.load(ordering: .relaxed) }

    public func start() { flag.store(true, ordering: .relaxed) }
}
