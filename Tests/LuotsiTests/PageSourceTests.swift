import Foundation
import Testing

/// Issue 17: pages read through the concepts' read models (`PipelinedRead`, the repositories),
/// never with SQL of their own, and `Web/` (the page machinery) holds none either.
@Suite("Page sources")
struct PageSourceTests {
    static let sources = TestSupport.repositoryRoot.appendingPathComponent("Sources/Luotsi")

    /// What SQL looks like in a Swift file: a statement's keywords, or sending one.
    static var sqlPatterns: [Regex<Substring>] {
        [
            /\bSELECT\s/, /\bINSERT\s+INTO\b/, /\bUPDATE\s+\w+\s+SET\b/, /\bDELETE\s+FROM\b/, /\bWITH\s+\w+\s+AS\s*\(/,
            /connection\.query\(/, /\.pipeline\(/, /\bpool\.(?:query|withConnection|withTransaction)\b/,
        ]
    }

    static func pageFiles() throws -> [URL] {
        let all = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)).compactMap { $0 as? URL }
        return all.filter { url in
            url.pathExtension == "swift"
                && (url.lastPathComponent.contains("Page") || url.deletingLastPathComponent().lastPathComponent == "Web")
        }
    }

    /// The lines of `text` that look like SQL, as "line: text".
    static func sqlLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { number, line in
            let code = line.trimmingCharacters(in: .whitespaces)
            guard !code.hasPrefix("//"), sqlPatterns.contains(where: { line.contains($0) }) else { return nil }
            return "\(number + 1): \(code)"
        }
    }

    @Test("no page file and nothing in Web/ holds SQL")
    func noSQLInPages() throws {
        let files = try Self.pageFiles()
        #expect(files.count >= 20, "found only \(files.count) page files under \(Self.sources.path)")
        var found: [String] = []
        for file in files {
            let lines = Self.sqlLines(try String(contentsOf: file, encoding: .utf8))
            found += lines.map { "\(file.lastPathComponent):\($0)" }
        }
        #expect(found.isEmpty, "SQL in page files (move it into the concept's read model):\n\(found.joined(separator: "\n"))")
    }

    @Test("the check finds SQL written the ways the pages used to")
    func theCheckCanFail() {
        #expect(!Self.sqlLines(#"let n = try await connection.query("SELECT count(*) AS n FROM goals")"#).isEmpty)
        #expect(!Self.sqlLines("    \"\"\"\n    SELECT g.id FROM goals g\n").isEmpty)
        #expect(!Self.sqlLines("UPDATE goals SET title = 'x'").isEmpty)
        #expect(Self.sqlLines("let status = RequestValues.query(web.request, \"status\")").isEmpty)
        #expect(Self.sqlLines("// SELECT in a comment is not SQL").isEmpty)
    }
}
