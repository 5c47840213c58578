import ArgumentParser
import Luotsi

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending migrations: the platform schema, then every organisation's schema.")

    @Flag(help: "Only report what is pending; change nothing (exit 1 when something is).") var check = false
    @Flag(
        help: ArgumentHelp(
            "Read every organisation's own migration table instead of the platform's copy, and renew the copy.",
            discussion: "For when an organisation's schema was restored on its own or changed by hand."))
    var recheck = false

    func run() async throws {
        try await Runtime.with { runtime in
            if check {
                let problems = try await runtime.services.migrator.problems()
                if problems.isEmpty {
                    print("up to date")
                    return
                }
                problems.forEach { print($0) }
                throw ExitCode(1)
            }
            let report = try await runtime.services.migrate(recheck: recheck)
            let platform = report.platformApplied.isEmpty ? "up to date" : report.platformApplied.joined(separator: ", ")
            print("platform: \(platform)")
            print(
                "organisations: \(report.tenantsChecked) checked, \(report.tenantsMigrated) migrated (\(report.tenantFilesApplied) files)")
        }
    }
}
