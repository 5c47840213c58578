import Foundation
import Postgres

/// The organisation goals a procurement goal can support: those still in play (not rejected,
/// dropped or closed), by title. With the national catalogue's goals, the choices of the forms
/// that link the two levels.
enum AlignmentChoices {
    struct Choice: Sendable {
        let id: UUID
        let title: String
    }

    static func read() -> PipelinedRead<[Choice]> {
        PipelinedRead(
            statements: [
                """
                SELECT id, title FROM goals
                WHERE level = 'organisation' AND status IN ('idea', 'shortlisted', 'scheduled') ORDER BY title, id
                """
            ]
        ) { results in
            try results.at(0).map { Choice(id: try $0.decode("id"), title: try $0.decode("title")) }
        }
    }

    /// The two selects' options: organisation goals, and the catalogue's goals by intention.
    static func options(
        goals: [Choice], catalogue: CatalogueView, chosen: [UUID], _ s: Strings
    ) -> (organisation: [Option], national: [Option]) {
        let chosenGoal = goals.first { chosen.contains($0.id) }?.id
        let nationalGoals = catalogue.themes.flatMap(\.goals)
        let chosenNational = nationalGoals.first { chosen.contains($0.id) }?.id
        return (
            [Option(value: "", label: s["choose_none"], selected: chosenGoal == nil)]
                + goals.map { Option(value: $0.id.uuidString, label: $0.title, selected: $0.id == chosenGoal) },
            [Option(value: "", label: s["choose_none"], selected: chosenNational == nil)]
                + nationalGoals.map { Option(value: $0.id.uuidString, label: "\($0.code) \($0.name)", selected: $0.id == chosenNational) }
        )
    }

    /// What a form chose: its two selects (and any kept links) are all named `alignsTo`, as the
    /// command's field.
    static func chosen(in form: FormData) throws -> [UUID] {
        try form.uuids("alignsTo")
    }
}

extension GoalRepository {
    /// The organisation goals being worked on (shortlisted or scheduled), with the procurement
    /// goals that support them: the overall picture's two levels.
    static func readOrganisationGoalsInPlay(platform: SchemaName, year: YearFilter = .all) -> PipelinedRead<GoalViewSet> {
        GoalViews(platform: platform).read(
            idSet: """
                SELECT id FROM goals WHERE level = 'organisation' AND status IN ('shortlisted', 'scheduled') AND \(year.condition("plan_year"))
                ORDER BY title LIMIT 100
                """)
    }
}
