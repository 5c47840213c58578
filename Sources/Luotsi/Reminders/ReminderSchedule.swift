import Foundation
import Logging
import Postgres
import ServiceLifecycle

/// Runs the reminder pass inside `serve`: once soon after start-up (so a new installation's
/// people get their first digest), then every day at `MailSettings.reminderTime` (UTC). Every
/// instance keeps the schedule; `reminder_pass` lets one of them run each pass, and a pass
/// started while another runs does nothing.
public struct ReminderSchedule: Service {
    let pass: ReminderPass
    let time: (hour: Int, minute: Int)
    let wake: Wakeup
    let logger: Logger
    static let firstAfter: Duration = .seconds(3)

    public func run() async throws {
        var next = Date().addingTimeInterval(Double(Self.firstAfter.components.seconds))
        while !Task.isShuttingDownGracefully {
            let wait = max(0, next.timeIntervalSinceNow)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
            } catch {
                return
            }
            do {
                // A shutdown stops the pass between organisations; the next one resumes it.
                let report = try await cancelWhenGracefulShutdown { try await pass.run(at: Date()) }
                logger.info("reminder pass", metadata: ["report": "\(report)"])
                if report.digests > 0 { wake.signal() }
            } catch is CancellationError {
                return  // shutting down: the pass let go of its place, for the next to resume
            } catch {
                logger.error("reminder pass failed", metadata: ["error": "\(error)"])
            }
            next = Self.next(after: Date(), hour: time.hour, minute: time.minute)
        }
    }

    /// The first moment after `moment` at `hour:minute` UTC.
    static func next(after moment: Date, hour: Int, minute: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.nextDate(
            after: moment, matching: DateComponents(hour: hour, minute: minute, second: 0), matchingPolicy: .nextTime)
            ?? moment.addingTimeInterval(86400)
    }
}

extension AppServices {
    /// The pass on its daily schedule; nil when `LUOTSI_REMINDERS_AT=off`. `pool`: connections of
    /// its own, so that a pass over thousands of organisations never takes one that requests wait for.
    public func reminderSchedule(logger: Logger, pool: PostgresPool) throws -> ReminderSchedule? {
        guard let time = mail.reminderTime else { return nil }
        let pass = try reminderPass(logger: logger, pool: pool)
        return ReminderSchedule(pass: pass, time: time, wake: mailWake, logger: logger)
    }
}
