import ArgumentParser
import Luotsi

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Create users; turn a platform admin's second factor off.",
        subcommands: [Create.self, SecondFactorOff.self])

    struct SecondFactorOff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "second-factor-off",
            abstract: "Turn a platform admin's second factor off (a lost authenticator); recorded in the platform audit trail.")
        @Option(help: "The platform admin's email address.") var email: String

        func run() async throws {
            try await Runtime.with { runtime in
                try await runtime.services.secondFactor.resetPlatformAdmin(email: email)
                print("second factor off for platform admin \(email.lowercased()); they set it up again on /profile")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organisation user with a role, or a platform admin.")
        @Option(help: "The organisation's slug (omit with --role platform-admin).") var org: String?
        @Option(help: "management, lead, staff or platform-admin.") var role: String
        @Option(help: "Email address (the sign-in name).") var email: String
        @Option(help: "Full name.") var name: String
        @Flag(help: "Read the password from standard input (else LUOTSI_PASSWORD).") var passwordStdin = false

        func validate() throws {
            if role == "platform-admin" {
                guard org == nil else { throw ValidationError("a platform admin belongs to no organisation: drop --org") }
            } else {
                _ = try Role.parse(role)
                guard org != nil else { throw ValidationError("--org is required for role \(role)") }
            }
        }

        func run() async throws {
            let user = NewUser(email: email, name: name, password: try PasswordInput.read(fromStdin: passwordStdin))
            try await Runtime.with { runtime in
                if role == "platform-admin" {
                    _ = try await runtime.services.users.createPlatformAdmin(user)
                    print("created platform admin \(user.email.lowercased())")
                } else if let org {
                    let created = try await runtime.services.users.create(user, role: try Role.parse(role), organisationSlug: org)
                    print("created \(created.role.rawValue) \(created.email) in \(org)")
                }
            }
        }
    }
}
