import Foundation
import Logging
import Metrics
import Postgres
import ServiceLifecycle
import Synchronization

/// Delivers the outbox inside `serve`: takes due messages a few at a time (`MailOutbox.claim`),
/// hands each to the SMTP server, and records the outcome. It wakes when a message is queued
/// (`luotsi_mail`, through the instance's listener) and looks anyway every few seconds, for
/// retries that come due and for messages another instance let go.
public final class MailSender: Service, Sendable {
    let outbox: MailOutbox
    let transport: SMTPTransport
    let logger: Logger
    let wake: Wakeup
    static let idleLook: Duration = .seconds(5)
    /// One message at a time: its lease then needs to outlast one attempt only.
    static let batch = 1
    /// A taken message is this sender's for this long: twice as long as an attempt may take
    /// (`LUOTSI_MAIL_TIMEOUT_SECONDS`), so that no other sender takes it while this one may still
    /// be sending it, and it comes back soon after a crash.
    var lease: Duration { .seconds(2 * outbox.settings.attemptTimeout + 10) }

    init(outbox: MailOutbox, server: SMTPServer, wake: Wakeup, logger: Logger) {
        self.outbox = outbox
        self.wake = wake
        self.transport = SMTPTransport(server: server, timeoutSeconds: outbox.settings.attemptTimeout)
        self.logger = logger
    }

    public func run() async throws {
        logger.info("mail sender started", metadata: ["smtp": "\(outbox.settings.serverDescription ?? "")"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let sent: Int
            do {
                sent = try await deliverDue()
            } catch {
                logger.warning("mail sender: the outbox could not be read", metadata: ["error": "\(error)"])
                sent = 0
            }
            if sent == 0 {
                try? await cancelWhenGracefulShutdown { try await self.wake.wait(upTo: Self.idleLook) }
            }
        }
    }

    /// Delivers one batch of due messages; returns how many were taken.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let claimed = try await outbox.claim(limit: Self.batch, lease: lease)
        for message in claimed {
            do {
                try await transport.send(from: outbox.settings.from, to: [message.recipient], message: message.body)
                try await outbox.markSent(message.id)
                Self.sentCounter.increment()
            } catch let failure as SMTPTransport.Failure {
                logger.warning(
                    "mail not delivered",
                    metadata: ["message_id": "\(message.messageID)", "attempt": "\(message.attempts)", "error": "\(failure.message)"])
                try await outbox.markFailed(message, error: failure.message, permanent: failure.permanent)
                Self.failedCounter.increment()
            }
        }
        return claimed.count
    }

    /// Delivers until nothing is due (for `luotsi reminders send`); returns how many were sent
    /// or failed.
    public func deliverAll() async throws -> Int {
        var total = 0
        while true {
            let taken = try await deliverDue()
            if taken == 0 { return total }
            total += taken
        }
    }

    static let sentCounter = Counter(label: "luotsi_mail_sent_total")
    static let failedCounter = Counter(label: "luotsi_mail_failed_attempts_total")
}

/// Wakes a waiting sender early; a wake with no one waiting is kept for the next wait. The
/// waiter looks every tenth of a second, which is plenty for mail and needs no continuation to
/// hand over between tasks.
final class Wakeup: Sendable {
    private let pending = Atomic<Bool>(false)

    func signal() { pending.store(true, ordering: .releasing) }

    /// Returns at a signal or after `limit`, whichever is first.
    func wait(upTo limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if pending.exchange(false, ordering: .acquiringAndReleasing) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
