import Foundation
import Postgres

/// A goal's title as lists read it: what is stored, and for an adopted goal the national goal's
/// name in every language. Until the organisation renames the goal (its title is still one of
/// those names), each reader sees the name in their own language.
struct GoalTitle: Sendable {
    let stored: String
    let national: Localized?

    init(stored: String, national: Localized?) {
        self.stored = stored
        self.national = national
    }

    /// Reads `title` and `catalogue_name` (select both: `g.title, g.catalogue_name`), or the
    /// columns named.
    init(row: PostgresRow, title: String = "title", name: String = "catalogue_name") throws {
        stored = try row.decode(title)
        national = try row.decode(name, as: JSONB?.self)?.decode(Localized.self)
    }

    func text(_ language: Language) -> String {
        guard let national, [national.fi, national.sv, national.en].contains(stored) else { return stored }
        return national.text(language)
    }
}
