import ArgumentParser

/// The `luotsi` command line.
@main
struct LuotsiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "luotsi",
        abstract: "Luotsi: set, schedule and follow up the goals of public procurement.",
        discussion: "The database comes from DATABASE_URL or the standard PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, OrgCommand.self, UserCommand.self, CatalogueCommand.self, DemoCommand.self,
            RoutesCommand.self, RemindersCommand.self,
        ])
}
