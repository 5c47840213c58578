import Foundation
import Postgres

/// The versioned national catalogue in the platform schema. Published versions never change;
/// platform admins edit a draft (a full copy) and publish it as the next version.
public struct CatalogueRepository: Sendable {
    public let pool: PostgresPool
    public let platform: SchemaName
    /// Published versions never change (`sql/platform/011`), so each is read once per instance.
    let published = PublishedVersions()

    public init(pool: PostgresPool, platform: SchemaName) {
        self.pool = pool
        self.platform = platform
    }

    var schema: SchemaName { platform }

    /// The newest published version (or `version`), in one language. A published version comes
    /// from memory after its first read; which one is newest is asked each time (one small
    /// statement), so a version published on another instance is seen at once.
    public func view(language: Language, version: Int? = nil) async throws -> CatalogueView {
        if let version, let stored = published[version] { return Self.view(stored, version: version, language: language) }
        let (chosen, stored) = try await pool.withTransaction { connection in
            let chosen = try await resolve(version, on: connection)
            if let stored = published[chosen] { return (chosen, stored) }
            let stored = try await read(version: chosen, on: connection)
            if stored.publishedAt != nil { published[chosen] = stored }
            return (chosen, stored)
        }
        return Self.view(stored, version: chosen, language: language)
    }

    /// A whole version in every language (the import/export format).
    public func document(version: Int? = nil) async throws -> CatalogueDocument {
        try await pool.withTransaction { connection in
            try await read(version: try await resolve(version, on: connection), on: connection).document
        }
    }

    public func versions() async throws -> [CatalogueVersionSummary] {
        try await pool.query(
            """
            SELECT v.version, v.status, v.note, v.created_at, v.published_at,
                   (SELECT count(*) FROM \(schema: schema).catalogue_goals g WHERE g.version = v.version) AS goals
            FROM \(schema: schema).catalogue_versions v ORDER BY v.version DESC
            """
        ).map { row in
            CatalogueVersionSummary(
                version: try row.decode("version"), status: try row.decode("status"), note: try row.decode("note"),
                createdAt: try row.decode("created_at"), publishedAt: try row.decode("published_at"), goalCount: try row.decode("goals"))
        }
    }

    /// Publishes `document` as the next version unless it equals the newest published one.
    /// Returns the version and whether a new one was made.
    @discardableResult
    public func importPublished(_ document: CatalogueDocument, note: String, by actor: PlatformActor = .commandLine) async throws -> (
        version: Int, created: Bool
    ) {
        try document.validate()
        return try await pool.withTransaction { connection in
            try await lockVersions(on: connection)
            if let latest = try await latestPublished(on: connection), try await read(version: latest, on: connection).document == document
            {
                return (latest, false)
            }
            let version = try await nextVersion(on: connection)
            try await insert(document, version: version, status: "published", note: note, on: connection)
            try await PlatformAudit.record(
                "catalogue.import", target: "\(version)", detail: ["note": note], by: actor, platform: platform, on: connection)
            return (version, true)
        }
    }

    /// Publishes each bundled catalogue file that has not been published yet, in order (the
    /// first migration seeds version 1; a later file becomes the next version). A file counts as
    /// published once a version records it in its note, so an admin's later versions are never
    /// overwritten and organisations keep the version they adopted from. Returns the versions made.
    @discardableResult
    public func seed(from files: [URL]) async throws -> [Int] {
        var made: [Int] = []
        for file in files {
            let note = "seeded from \(file.lastPathComponent)"
            let seeded = try await pool.query(
                "SELECT 1 FROM \(schema: schema).catalogue_versions WHERE note = \(note) AND status = 'published'"
            ).single()
            guard seeded == nil else { continue }
            let document = try CatalogueDocument.read(from: try Data(contentsOf: file))
            let (version, created) = try await importPublished(document, note: note)
            if created { made.append(version) }
        }
        return made
    }

    /// The bundled seed files of `directory`, in the order they are published.
    public static func seedFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    // MARK: - Draft editing

    /// The draft, creating it as a copy of the newest published version when there is none.
    public func draft(create: Bool, by actor: PlatformActor = .commandLine) async throws -> (
        version: Int, document: CatalogueDocument, created: Bool
    ) {
        try await pool.withTransaction { connection in
            try await lockVersions(on: connection)
            if let version = try await draftVersion(on: connection) {
                return (version, try await read(version: version, on: connection).document, false)
            }
            guard create else { throw LuotsiError.notFound("catalogue draft") }
            let base: CatalogueDocument
            if let latest = try await latestPublished(on: connection) {
                base = try await read(version: latest, on: connection).document
            } else {
                base = CatalogueDocument(title: Localized(fi: "Luonnos", sv: "Utkast", en: "Draft"), source: "", themes: [])
            }
            let version = try await nextVersion(on: connection)
            try await insert(base, version: version, status: "draft", note: "", on: connection)
            try await PlatformAudit.record("catalogue.draft.start", target: "\(version)", by: actor, platform: platform, on: connection)
            return (version, base, true)
        }
    }

    /// Replaces the draft's whole content (`action` names the edit in the platform audit log).
    public func replaceDraft(
        with document: CatalogueDocument, by actor: PlatformActor = .commandLine, action: String = "catalogue.draft.replace",
        target: String? = nil
    ) async throws -> Int {
        try document.validate()
        return try await pool.withTransaction { connection in
            try await lockVersions(on: connection)
            guard let version = try await draftVersion(on: connection) else { throw LuotsiError.notFound("catalogue draft") }
            try await connection.query("DELETE FROM \(schema: schema).catalogue_themes WHERE version = \(version)")
            try await connection.query(
                "UPDATE \(schema: schema).catalogue_versions SET title = \(try JSONB(encoding: document.title)), source = \(document.source) WHERE version = \(version)"
            )
            try await insertContent(document, version: version, on: connection)
            try await PlatformAudit.record(action, target: target ?? "\(version)", by: actor, platform: platform, on: connection)
            return version
        }
    }

    /// Changes one goal of the draft (name, description and/or indicators), in one transaction.
    public func updateDraftGoal(
        code: String, name: Localized?, description: Localized?, indicators: [CatalogueDocument.Indicator]? = nil,
        by actor: PlatformActor = .commandLine
    )
        async throws
        -> CatalogueDocument
    {
        let (_, current, _) = try await draft(create: false)
        var document = current
        guard let t = document.themes.firstIndex(where: { $0.goals.contains { $0.code == code } }),
            let g = document.themes[t].goals.firstIndex(where: { $0.code == code })
        else { throw LuotsiError.notFound("goal \(code) in the draft") }
        if let name { document.themes[t].goals[g].name = name }
        if let description { document.themes[t].goals[g].description = description }
        if let indicators { document.themes[t].goals[g].indicators = Self.coded(indicators, goalCode: code) }
        _ = try await replaceDraft(with: document, by: actor, action: "catalogue.draft.goal.edit", target: code)
        return document
    }

    /// Adds a goal to a theme of the draft; its code is the next free number of the theme.
    public func addDraftGoal(
        themeCode: String, name: Localized, description: Localized, indicators: [CatalogueDocument.Indicator] = [],
        by actor: PlatformActor = .commandLine
    )
        async throws
        -> CatalogueDocument.Goal
    {
        let (_, current, _) = try await draft(create: false)
        var document = current
        guard let t = document.themes.firstIndex(where: { $0.code == themeCode }) else {
            throw LuotsiError.notFound("theme \(themeCode) in the draft")
        }
        let numbers = document.themes[t].goals.compactMap { Int($0.code.split(separator: "-").last ?? "") }
        let code = "\(themeCode)-\((numbers.max() ?? 0) + 1)"
        let goal = CatalogueDocument.Goal(
            code: code, position: document.themes[t].goals.count + 1, name: name, description: description,
            indicators: Self.coded(indicators, goalCode: code))
        document.themes[t].goals.append(goal)
        if document.themes[t].status == "name-only" { document.themes[t].status = "confirmed" }
        _ = try await replaceDraft(with: document, by: actor, action: "catalogue.draft.goal.add", target: goal.code)
        return goal
    }

    /// Publishes the draft as the newest version.
    public func publishDraft(note: String, by actor: PlatformActor = .commandLine) async throws -> Int {
        try await pool.withTransaction { connection in
            try await lockVersions(on: connection)
            guard let version = try await draftVersion(on: connection) else { throw LuotsiError.notFound("catalogue draft") }
            try await connection.query(
                "UPDATE \(schema: schema).catalogue_versions SET status = 'published', published_at = now(), note = \(note) WHERE version = \(version)"
            )
            try await PlatformAudit.record(
                "catalogue.publish", target: "\(version)", detail: ["note": note], by: actor, platform: platform, on: connection)
            return version
        }
    }

    public func discardDraft(by actor: PlatformActor = .commandLine) async throws {
        try await pool.withTransaction { connection in
            try await lockVersions(on: connection)
            guard let version = try await draftVersion(on: connection) else { throw LuotsiError.notFound("catalogue draft") }
            try await connection.query("DELETE FROM \(schema: schema).catalogue_versions WHERE version = \(version)")
            try await PlatformAudit.record("catalogue.draft.discard", target: "\(version)", by: actor, platform: platform, on: connection)
        }
    }

    // MARK: - Internals

    /// The version asked for, or the newest published one.
    private func resolve(_ version: Int?, on connection: PostgresConnection) async throws -> Int {
        if let version { return version }
        guard let latest = try await latestPublished(on: connection) else { throw LuotsiError.notFound("published catalogue") }
        return latest
    }

    func latestPublished(on connection: PostgresConnection) async throws -> Int? {
        try await connection.query("SELECT max(version) AS v FROM \(schema: schema).catalogue_versions WHERE status = 'published'").one()
            .decode("v", as: Int?.self)
    }

    private func draftVersion(on connection: PostgresConnection) async throws -> Int? {
        try await connection.query("SELECT version FROM \(schema: schema).catalogue_versions WHERE status = 'draft'").single()?
            .decode("version", as: Int.self)
    }

    /// Every change to the catalogue's versions (starting, editing, publishing or discarding the
    /// draft, importing a version) takes this lock first, so they happen one after the other: one
    /// that waited on a publish or a discard then finds no draft (404), never a published version
    /// under its edit. The lock conflicts with itself and with writers, not with readers.
    private func lockVersions(on connection: PostgresConnection) async throws {
        try await connection.query("LOCK TABLE \(schema: schema).catalogue_versions IN SHARE ROW EXCLUSIVE MODE")
    }

    private func nextVersion(on connection: PostgresConnection) async throws -> Int {
        try await connection.query("SELECT coalesce(max(version), 0) + 1 AS v FROM \(schema: schema).catalogue_versions").one().decode("v")
    }

    private func insert(_ document: CatalogueDocument, version: Int, status: String, note: String, on connection: PostgresConnection)
        async throws
    {
        let publishedAt: Date? = status == "published" ? Date() : nil
        try await connection.query(
            """
            INSERT INTO \(schema: schema).catalogue_versions (version, status, title, source, note, published_at)
            VALUES (\(version), \(status), \(try JSONB(encoding: document.title)), \(document.source), \(note), \(publishedAt))
            """)
        try await insertContent(document, version: version, on: connection)
    }

    private func insertContent(_ document: CatalogueDocument, version: Int, on connection: PostgresConnection) async throws {
        for theme in document.themes {
            let themeID = try await connection.query(
                """
                INSERT INTO \(schema: schema).catalogue_themes (version, code, position, status, name, statement)
                VALUES (\(version), \(theme.code), \(theme.position), \(theme.status), \(try JSONB(encoding: theme.name)), \(try JSONB(encoding: theme.statement)))
                RETURNING id
                """
            ).one().decode("id", as: UUID.self)
            for goal in theme.goals {
                let goalID = try await connection.query(
                    """
                    INSERT INTO \(schema: schema).catalogue_goals (theme_id, version, code, position, name, description)
                    VALUES (\(themeID), \(version), \(goal.code), \(goal.position), \(try JSONB(encoding: goal.name)), \(try JSONB(encoding: goal.description)))
                    RETURNING id
                    """
                ).one().decode("id", as: UUID.self)
                for (index, indicator) in goal.indicators.enumerated() {
                    try await connection.query(
                        """
                        INSERT INTO \(schema: schema).catalogue_indicators
                            (goal_id, code, position, name, description, unit, direction, target, target_year)
                        VALUES (\(goalID), \(indicator.code), \(index + 1), \(try JSONB(encoding: indicator.name)),
                                \(try JSONB(encoding: indicator.description)), \(indicator.unit), \(indicator.direction),
                                \(indicator.target), \(indicator.targetYear))
                        """)
                }
            }
        }
    }

    /// A version read back, with the database ids of its goals and indicators.
    struct StoredVersion: Sendable {
        var document: CatalogueDocument
        var publishedAt: Date?
        var goalIDs: [String: UUID]
        var indicatorIDs: [String: UUID]
    }

    func read(version: Int, on connection: PostgresConnection) async throws -> StoredVersion {
        guard
            let head = try await connection.query(
                "SELECT title, source, published_at FROM \(schema: schema).catalogue_versions WHERE version = \(version)"
            ).single()
        else { throw LuotsiError.notFound("catalogue version \(version)") }
        let themes = try await connection.query(
            "SELECT id, code, position, status, name, statement FROM \(schema: schema).catalogue_themes WHERE version = \(version) ORDER BY position, code"
        )
        let goals = try await connection.query(
            "SELECT id, theme_id, code, position, name, description FROM \(schema: schema).catalogue_goals WHERE version = \(version) ORDER BY position, code"
        )
        let indicators = try await connection.query(
            """
            SELECT i.id, i.goal_id, i.code, i.name, i.description, i.unit, i.direction, i.target, i.target_year
            FROM \(schema: schema).catalogue_indicators i JOIN \(schema: schema).catalogue_goals g ON g.id = i.goal_id
            WHERE g.version = \(version) ORDER BY i.position, i.code
            """)
        var goalIDs: [String: UUID] = [:]
        var indicatorIDs: [String: UUID] = [:]
        var indicatorsByGoal: [UUID: [CatalogueDocument.Indicator]] = [:]
        for row in indicators {
            let indicator = CatalogueDocument.Indicator(
                code: try row.decode("code"), name: try localized(row, "name"), description: try localized(row, "description"),
                unit: try row.decode("unit"), direction: try row.decode("direction"), target: try row.decode("target"),
                targetYear: try row.decode("target_year"))
            let goalID: UUID = try row.decode("goal_id")
            indicatorsByGoal[goalID, default: []].append(indicator)
            indicatorIDs["\(goalID)|\(indicator.code)"] = try row.decode("id")
        }
        var goalsByTheme: [UUID: [CatalogueDocument.Goal]] = [:]
        for row in goals {
            let id: UUID = try row.decode("id")
            let goal = CatalogueDocument.Goal(
                code: try row.decode("code"), position: try row.decode("position"), name: try localized(row, "name"),
                description: try localized(row, "description"), indicators: indicatorsByGoal[id] ?? [])
            goalsByTheme[try row.decode("theme_id"), default: []].append(goal)
            goalIDs[goal.code] = id
        }
        let document = CatalogueDocument(
            title: try localized(head, "title"), source: try head.decode("source"),
            themes: try themes.map { row in
                CatalogueDocument.Theme(
                    code: try row.decode("code"), position: try row.decode("position"), status: try row.decode("status"),
                    name: try localized(row, "name"), statement: try localized(row, "statement"),
                    goals: goalsByTheme[try row.decode("id")] ?? [])
            })
        // Indicator ids are keyed by goal id; re-key them by goal code for the view.
        var byCode: [String: UUID] = [:]
        for (code, goalID) in goalIDs {
            for (key, id) in indicatorIDs where key.hasPrefix("\(goalID)|") { byCode["\(code)|\(key.dropFirst("\(goalID)|".count))"] = id }
        }
        return StoredVersion(document: document, publishedAt: try head.decode("published_at"), goalIDs: goalIDs, indicatorIDs: byCode)
    }

    private func localized(_ row: PostgresRow, _ column: String) throws -> Localized {
        try row.decode(column, as: JSONB.self).decode(Localized.self)
    }

    static func view(_ stored: StoredVersion, version: Int, language: Language) -> CatalogueView {
        CatalogueView(
            version: version, language: language, title: stored.document.title.text(language), publishedAt: stored.publishedAt,
            themes: stored.document.themes.map { theme in
                CatalogueView.Theme(
                    code: theme.code, name: theme.name.text(language), statement: theme.statement.text(language), status: theme.status,
                    goals: theme.goals.compactMap { goal in
                        guard let id = stored.goalIDs[goal.code] else { return nil }
                        return CatalogueView.Goal(
                            id: id, code: goal.code, name: goal.name.text(language), description: goal.description.text(language),
                            indicators: goal.indicators.compactMap { indicator in
                                guard let indicatorID = stored.indicatorIDs["\(goal.code)|\(indicator.code)"] else { return nil }
                                return CatalogueView.Indicator(
                                    id: indicatorID, code: indicator.code, name: indicator.name.text(language),
                                    description: indicator.description.text(language), unit: indicator.unit, direction: indicator.direction,
                                    target: indicator.target, targetYear: indicator.targetYear)
                            })
                    })
            })
    }
}
