import Foundation
import Postgres

/// The editor's changes to the draft beyond a goal's wording: an intention's name and statement,
/// a goal retired from the catalogue, and a goal's indicators. Each rewrites the draft through
/// `replaceDraft` (one transaction, checked as a whole, recorded in the platform audit log).
extension CatalogueRepository {
    /// Renames an intention (theme) of the draft and rewrites its statement, in every language.
    public func updateDraftTheme(code: String, name: Localized, statement: Localized, by actor: PlatformActor = .commandLine)
        async throws -> CatalogueDocument.Theme
    {
        try name.validate(field: "name", maxLength: 300)
        try statement.validate(field: "statement")
        let (_, current, _) = try await draft(create: false)
        var document = current
        guard let t = document.themes.firstIndex(where: { $0.code == code }) else {
            throw LuotsiError.notFound("intention \(code) in the draft")
        }
        document.themes[t].name = name
        document.themes[t].statement = statement
        _ = try await replaceDraft(with: document, by: actor, action: "catalogue.draft.theme.edit", target: code)
        return document.themes[t]
    }

    /// Takes a goal out of the draft: from the next published version on, organisations no longer
    /// find it. Goals adopted from an earlier version keep pointing there, and are told that the
    /// newest version dropped it.
    public func retireDraftGoal(code: String, by actor: PlatformActor = .commandLine) async throws {
        let (_, current, _) = try await draft(create: false)
        var document = current
        guard let t = document.themes.firstIndex(where: { $0.goals.contains { $0.code == code } }) else {
            throw LuotsiError.notFound("goal \(code) in the draft")
        }
        document.themes[t].goals.removeAll { $0.code == code }
        for index in document.themes[t].goals.indices { document.themes[t].goals[index].position = index + 1 }
        _ = try await replaceDraft(with: document, by: actor, action: "catalogue.draft.goal.retire", target: code)
    }

    /// The indicators with a code each: those without one get the goal's next free `<goal>-I<n>`.
    static func coded(_ indicators: [CatalogueDocument.Indicator], goalCode: String) -> [CatalogueDocument.Indicator] {
        var used = Set(indicators.map(\.code).filter { !$0.isEmpty })
        var next = 1
        return indicators.map { indicator in
            var indicator = indicator
            if indicator.code.isEmpty {
                while used.contains("\(goalCode)-I\(next)") { next += 1 }
                indicator.code = "\(goalCode)-I\(next)"
                used.insert(indicator.code)
            }
            return indicator
        }
    }
}
