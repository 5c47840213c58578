import ArgumentParser
import Foundation
import Luotsi

/// Seeds the local demo: an organisation with one user per role, realistic goals, procurements,
/// tasks and check-ins, and a platform admin — with fresh random passwords kept in a git-ignored
/// file so later runs can print them again.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Seed the local demo organisation and print its sign-ins (local use only).")

    @Option(help: "Where the demo sign-ins are kept.") var credentialsFile = ".data/demo-credentials.txt"
    @Option(help: "The demo organisation's slug.") var slug = "demo"

    func run() async throws {
        try await Runtime.with { runtime in
            let organisations = runtime.services.organisations
            if (try? await organisations.find(slug: slug)) != nil {
                guard let text = try? String(contentsOfFile: credentialsFile, encoding: .utf8) else {
                    print("The demo organisation \(slug) exists, but \(credentialsFile) is gone; create users with `luotsi user create`.")
                    return
                }
                print(text, terminator: "")
                return
            }
            let people: [(role: String, email: String, name: String)] = [
                ("platform-admin", "admin@luotsi.example", "Pia Platform"),
                ("management", "johto@demo.example", "Maija Johtaja"),
                ("lead", "hankinta@demo.example", "Lauri Hankintapäällikkö"),
                ("staff", "asiantuntija@demo.example", "Sanna Asiantuntija"),
            ]
            let passwords = people.map { _ in Self.randomPassword() }
            let organisation = try await organisations.create(slug: slug, name: "Demo City (Demokaupunki)", management: nil)
            var users: [User] = []
            for index in 1...3 {
                let person = people[index]
                users.append(
                    try await runtime.services.users.create(
                        NewUser(email: person.email, name: person.name, password: passwords[index]),
                        role: try Role.parse(person.role), organisationSlug: slug))
            }
            // `people` and `passwords` are the demo's own fixed lists: no input reaches an index below.
            try await DemoContent(
                services: runtime.services, organisation: organisation, management: users[0], lead: users[1], staff: users[2]
            ).seed()
            var adminLine = "platform admin  \(people[0].email)  \(passwords[0])"
            do {
                _ = try await runtime.services.users.createPlatformAdmin(
                    NewUser(email: people[0].email, name: people[0].name, password: passwords[0]))
            } catch LuotsiError.conflict {
                adminLine = "platform admin  \(people[0].email)  (existed before; password unchanged)"
            }
            var text = "Demo sign-ins (local demo only) — organisation \"\(slug)\":\n  \(adminLine)\n"
            for index in 1..<people.count {
                text +=
                    "  \(people[index].role.padding(toLength: 14, withPad: " ", startingAt: 0))  \(people[index].email)  \(passwords[index])\n"
            }
            let url = URL(fileURLWithPath: credentialsFile)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
            print(text, terminator: "")
        }
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
