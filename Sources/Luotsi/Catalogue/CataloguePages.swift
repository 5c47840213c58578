import Foundation
import Hummingbird
import Postgres

/// `/catalogue`: the national strategy by theme, in the person's language. Management adopts a
/// national goal as an organisation goal (an idea to sift); goals already adopted say so, and
/// say when a newer catalogue version words them differently.
struct CataloguePages {
    let services: AppServices
    let pages: PageRenderer

    struct Goal: Sendable {
        let id: String
        let code: String
        let name: String
        let description: String
        let indicators: [String]
        let hasIndicators: Bool
        let adoptedHref: String?
        let changedInLatest: Bool
        let canAdopt: Bool
    }

    struct Theme: Sendable {
        let code: String
        let name: String
        let statement: String
        let goals: [Goal]
        let hasGoals: Bool
    }

    struct Model: Sendable {
        let version: Int
        let title: String
        let themes: [Theme]
    }

    func register(on web: WebRouter) {
        web.member(.get, "/catalogue", .readOrganisation) { web, member in
            let s = web.strings
            let catalogue = try await services.catalogue.view(language: web.language)
            // What this organisation adopted, by national goal code, with "changed in a newer version".
            let adopted = try await services.readingOrganisation(member) {
                try await CatalogueAdoptions.read(platform: services.goals.platform).read(on: $0)
            }
            .map { ($0.code, ($0.goalID, $0.changedInLatest)) }
            let byCode = Dictionary(adopted, uniquingKeysWith: { first, _ in first })
            let canAdopt = Permissions.allows(AccessRole(.member(member)), .proposeGoal)
            let themes = catalogue.themes.map { theme in
                let goals = theme.goals.map { goal in
                    Goal(
                        id: goal.id.uuidString, code: goal.code, name: goal.name, description: goal.description,
                        indicators: goal.indicators.map { indicator in
                            [
                                indicator.name,
                                indicator.target.map { "\(s["field_target"]) \(Formatting.number($0, web.language)) \(indicator.unit)" },
                            ]
                            .compactMap { $0 }.joined(separator: " – ")
                        },
                        hasIndicators: !goal.indicators.isEmpty, adoptedHref: byCode[goal.code].map { "/goals/\($0.0.uuidString)" },
                        changedInLatest: byCode[goal.code]?.1 ?? false, canAdopt: canAdopt && byCode[goal.code] == nil)
                }
                return Theme(code: theme.code, name: theme.name, statement: theme.statement, goals: goals, hasGoals: !goals.isEmpty)
            }
            return pages.response(
                "catalogue", title: s["catalogue_title"], page: Model(version: catalogue.version, title: catalogue.title, themes: themes),
                web: web)
        }
        web.member(.post, "/catalogue/adopt", .proposeGoal) { web, member in
            guard let catalogueGoalID = try web.form.uuid("catalogueGoalId") else {
                throw LuotsiError.invalid(field: "catalogueGoalId", reason: "is required")
            }
            let input = NewGoalInput(
                title: nil, description: nil, level: GoalLevel.organisation.rawValue, procurementId: nil, catalogueGoalId: catalogueGoalID,
                alignsTo: [catalogueGoalID], priority: nil, themeCode: nil)
            let goal = try await services.inOrganisation(member) { try await services.goals.create(input, by: member, on: $0) }
            return PageRenderer.redirect("/goals/\(goal.id.uuidString)?notice=goal_adopted")
        }
    }
}
