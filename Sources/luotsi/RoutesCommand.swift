import ArgumentParser
import Foundation
import Luotsi
import Postgres

/// `luotsi routes`: every route the server answers, with the guard it is registered with. For
/// operators (what is exposed, to whom) and for the page fuzzer, which reads its route list here
/// so that a new page is fuzzed without anyone listing it by hand. Needs no database.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "List every route (method, path, guard); needs no database.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case all, api, pages
    }

    @Option(help: "Which routes: all, api or pages.") var kind: Kind = .all

    func run() async throws {
        // The pool opens no connection until a query needs one, and listing routes needs none.
        let pool = PostgresPool(configuration: .init(conninfo: ""))
        let services = try AppServices(pool: pool, sqlDirectory: try SQLDirectory.locate())
        let built = buildRouter(services: services)
        var lines: [String] = []
        if kind != .pages { lines += built.routes.all.map { "api \($0.method.rawValue) \($0.path) \($0.access)" } }
        if kind != .api { lines += built.pages.all.map { "page \($0.method.rawValue) \($0.path) \($0.access)" } }
        print(lines.joined(separator: "\n"))
        await pool.close()
    }
}
