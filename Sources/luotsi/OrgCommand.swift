import ArgumentParser
import Foundation
import Luotsi

struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "Create, list, suspend, reactivate, export and import organisations.",
        subcommands: [Create.self, CreateMany.self, List.self, Suspend.self, Activate.self, Export.self, Import.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organisation, its schema and (optionally) its first management user.")
        @Option(help: "URL name: lower-case letters, digits and inner hyphens.") var slug: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Email of the first management user.") var managementEmail: String?
        @Option(help: "Name of the first management user.") var managementName: String?
        @Flag(help: "Read the management user's password from standard input.") var passwordStdin = false

        func run() async throws {
            var management: NewUser?
            if let managementEmail {
                let password = try PasswordInput.read(fromStdin: passwordStdin)
                management = NewUser(email: managementEmail, name: managementName ?? managementEmail, password: password)
            }
            try await Runtime.with { runtime in
                let organisation = try await runtime.services.organisations.create(slug: slug, name: name, management: management)
                print("created organisation \(organisation.slug) (\(organisation.name)), schema \(organisation.schema)")
            }
        }
    }

    struct CreateMany: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-many",
            abstract: "Create many organisations from a list, several at a time (the first load of an instance).",
            discussion: """
                The list has one organisation per line: its slug, a tab, its name. Blank lines and lines \
                starting with # are skipped. The whole list is checked first; nothing is created from a \
                list with a bad line. Each organisation is created in its own transaction, as `org create` \
                does it (without a management user: add people with `luotsi user create`). A slug that \
                already exists is reported and left alone, so running the same list again after an \
                interruption creates the rest. One line per organisation goes to standard output.
                """)
        @Argument(help: "The list; - reads standard input.") var file: String
        @Option(help: "How many organisations are created at once (at most LUOTSI_DB_POOL_SIZE).") var jobs = 2

        func validate() throws {
            guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1–64") }
        }

        func run() async throws {
            let text: String
            if file == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
                text = String(decoding: data, as: UTF8.self)
            }
            let entries = try OrganisationBatch.parse(text)
            try await Runtime.with { runtime in
                let batch = OrganisationBatch(repository: runtime.services.organisations, jobs: jobs)
                let started = ContinuousClock.now
                // Written unbuffered, so that progress shows while a long list runs.
                let summary = try await batch.create(entries) { entry, outcome in
                    switch outcome {
                    case .created(let organisation, let seconds):
                        Output.line("created \(entry.slug) (schema \(organisation.schema)) in \(Int((seconds * 1000).rounded())) ms")
                    case .alreadyPresent:
                        Output.line("already present: \(entry.slug) (line \(entry.line)), left as it is")
                    }
                }
                let seconds = (ContinuousClock.now - started) / .seconds(1)
                Output.line(
                    "created \(summary.created), already present \(summary.alreadyPresent), in \(String(format: "%.1f", seconds)) s")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List organisations.")
        func run() async throws {
            try await Runtime.with { runtime in
                let organisations = try await runtime.services.organisations.list()
                print("slug\tstatus\tschema\tname")
                for organisation in organisations {
                    print("\(organisation.slug)\t\(organisation.status.rawValue)\t\(organisation.schema)\t\(organisation.name)")
                }
            }
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend an organisation: its users can no longer sign in. Nothing is deleted.")
        @Argument(help: "The organisation's slug.") var slug: String
        func run() async throws {
            try await Runtime.with { runtime in
                try await runtime.services.setOrganisationStatus(slug: slug, .suspended)
                print("suspended \(slug)")
            }
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reactivate a suspended organisation.")
        @Argument(help: "The organisation's slug.") var slug: String
        func run() async throws {
            try await Runtime.with { runtime in
                try await runtime.services.setOrganisationStatus(slug: slug, .active)
                print("activated \(slug)")
            }
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Write an organisation's data (users, goals and their history, check-ins, procurements, tasks, comments, audit) as JSON to standard output."
    )
    @Argument(help: "The organisation's slug.") var slug: String
    @Flag(help: "Include password hashes, second-factor keys and one-time password codes (left out by default).")
    var withSecrets = false

    func run() async throws {
        try await Runtime.with { runtime in
            let data = try await runtime.services.transfer.export(slug: slug, withSecrets: withSecrets)
            FileHandle.standardOutput.write(data)
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Create an organisation from a file written by `luotsi org export`.")
    @Argument(help: "The export file; - reads standard input.") var file: String
    @Option(help: "The new organisation's slug (default: the one in the file).") var slug: String?
    @Flag(
        help: ArgumentHelp(
            "Take the file's password hashes, one-time codes and second-factor keys.",
            discussion:
                "Without it everyone gets an unusable password and no second factor, whatever the file holds: management issues codes."))
    var withSecrets = false

    func run() async throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let read = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            data = read
        }
        try await Runtime.with { runtime in
            let organisation = try await runtime.services.transfer.importOrganisation(data, slug: slug, withSecrets: withSecrets)
            print("imported organisation \(organisation.slug) (\(organisation.name)), schema \(organisation.schema)")
        }
    }
}

/// Lines for standard output that do not wait in a buffer.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

/// Passwords come from standard input or `LUOTSI_PASSWORD`, never from the command line,
/// where other users of the machine could read them in the process list.
enum PasswordInput {
    static func read(fromStdin: Bool) throws -> String {
        if fromStdin {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("no password on standard input")
            }
            return line
        }
        if let password = ProcessInfo.processInfo.environment["LUOTSI_PASSWORD"], !password.isEmpty { return password }
        throw ValidationError("give the password on standard input with --password-stdin, or in LUOTSI_PASSWORD")
    }
}
