import Foundation

/// One numbered SQL migration file, e.g. `003_goals.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    /// SHA-256 of the file's bytes, hex: an applied file that later changes is refused.
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = Encoding.sha256Hex(sql)
    }

    /// Reads `NNN_name.sql` files of a folder in version order; other files are ignored.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.missingDirectory(directory.path)
        }
        var migrations: [Migration] = []
        for file in names where file.hasSuffix(".sql") {
            guard let version = Int(file.prefix(while: \.isNumber)), version > 0 else {
                throw MigrationError.badFileName(file)
            }
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: file, sql: text))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(previous.name, next.name)
        }
        return migrations
    }
}

/// Where the `sql/` folder is: `LUOTSI_SQL_DIR`, else `./sql`, else next to or above the
/// executable (a checkout's `.build/debug/luotsi`, or `/opt/luotsi/bin` with `/opt/luotsi/sql`).
public enum SQLDirectory {
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var candidates: [URL] = []
        if let configured = environment["LUOTSI_SQL_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("sql"))
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("sql"))
            folder = folder.deletingLastPathComponent()
        }
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("platform").path) {
            return candidate
        }
        throw MigrationError.missingDirectory("sql/ (set LUOTSI_SQL_DIR)")
    }
}
