import ArgumentParser
import Foundation
import Luotsi

struct RemindersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminders", abstract: "Notifications and e-mail digests.", subcommands: [Send.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one reminder pass now: what fell due becomes notifications, and digests go to the outbox.",
            discussion: """
                Each person gets at most one digest per period (a day, or an ISO week), so running it twice sends nothing \
                twice. Without LUOTSI_SMTP_URL only the notifications are written. Unless --no-deliver, the outbox is \
                then delivered before the command ends (serve's own sender would deliver it otherwise).
                """)
        @Option(help: "Run as if at this moment (ISO 8601, e.g. 2027-01-15T07:00:00Z): its day and week choose what is due.")
        var at: String?
        @Flag(help: "Only write the digests to the outbox; leave delivering them to serve.") var noDeliver = false

        func run() async throws {
            let moment: Date
            if let at {
                guard let parsed = ISO8601DateFormatter().date(from: at) else {
                    throw CLIError("--at must be an ISO 8601 moment such as 2027-01-15T07:00:00Z, not \(at)")
                }
                moment = parsed
            } else {
                moment = Date()
            }
            try await Runtime.with { runtime in
                let report = try await runtime.services.reminderPass(logger: runtime.logger).run(at: moment)
                print(report)
                guard !noDeliver, let sender = runtime.services.mailSender(logger: runtime.logger) else { return }
                let delivered = try await sender.deliverAll()
                print("the outbox: \(delivered) messages attempted")
            }
        }
    }
}
