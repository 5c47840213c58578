import ArgumentParser
import Foundation
import Luotsi

struct CatalogueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue", abstract: "Import and export the national goal catalogue (JSON, fi/sv/en).",
        subcommands: [Import.self, Export.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a catalogue file as the next version (nothing happens when it equals the newest version).")
        @Argument(help: "A catalogue JSON file, e.g. sql/catalogue/national-strategy-2020.json.") var file: String
        @Option(help: "A note shown in the version list.") var note: String = "imported"

        func run() async throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CLIError("cannot read \(file): \(error.localizedDescription)")
            }
            let document = try CatalogueDocument.read(from: data)
            try await Runtime.with { runtime in
                let (version, created) = try await runtime.services.catalogue.importPublished(document, note: note)
                print(created ? "published catalogue version \(version)" : "the catalogue already equals version \(version); nothing to do")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a catalogue version as JSON (the newest published by default).")
        @Option(help: "The version to export.") var version: Int?

        func run() async throws {
            try await Runtime.with { runtime in
                let document = try await runtime.services.catalogue.document(version: version)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(document), as: UTF8.self))
            }
        }
    }
}
