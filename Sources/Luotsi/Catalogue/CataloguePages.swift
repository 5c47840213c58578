import Foundation
import Hummingbird
import Postgres

/// `/catalogue`: the national strategy by intention, in the person's language. A national goal is
/// adopted for the whole organisation or for one procurement (as an idea to sift); each adoption
/// shows where it stands, and when a newer catalogue version words it differently. A goal whose
/// adoption was rejected, dropped or closed can be adopted again.
struct CataloguePages {
    let services: AppServices
    let pages: PageRenderer

    struct AdoptionRow: Sendable {
        let href: String
        let status: StatusBadge
        let scope: String
        let changedInLatest: Bool
    }

    struct Goal: Sendable {
        let id: String
        let code: String
        let name: String
        let description: String
        let indicators: [String]
        let hasIndicators: Bool
        let adoptions: [AdoptionRow]
        let hasAdoptions: Bool
        let canAdopt: Bool
        /// Where it can still be adopted: the organisation (unless adopted there and in play) and each procurement.
        let scopeOptions: [Option]
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
            let (adopted, procurements) = try await services.readingOrganisation(member) {
                try await CatalogueAdoptions.read(platform: services.goals.platform).read(on: $0)
            }
            let byCode = Dictionary(grouping: adopted, by: \.code)
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
                        hasIndicators: !goal.indicators.isEmpty,
                        adoptions: (byCode[goal.code] ?? []).map { adoption in
                            AdoptionRow(
                                href: "/goals/\(adoption.goalID.uuidString)", status: StatusBadge(adoption.status.rawValue, s),
                                scope: adoption.procurementTitle ?? s["level_organisation"], changedInLatest: adoption.changedInLatest)
                        },
                        hasAdoptions: byCode[goal.code] != nil, canAdopt: canAdopt,
                        scopeOptions: Self.scopeOptions(adopted: byCode[goal.code] ?? [], procurements: procurements, s))
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
            let procurementID = try web.form.uuid("procurementId")
            // Titled in the adopter's language (the API's default is Finnish); other readers still
            // see the national goal's name in theirs until the organisation renames it.
            let name = try await services.catalogue.view(language: web.language).themes.flatMap(\.goals)
                .first { $0.id == catalogueGoalID }?.name
            let input = NewGoalInput(
                title: name, description: nil, level: (procurementID == nil ? GoalLevel.organisation : .procurement).rawValue,
                procurementId: procurementID, catalogueGoalId: catalogueGoalID, alignsTo: [catalogueGoalID], priority: nil, themeCode: nil)
            let goal = try await services.inOrganisation(member) { try await services.goals.create(input, by: member, on: $0) }
            return PageRenderer.redirect("/goals/\(goal.id.uuidString)?notice=goal_adopted")
        }
    }

    /// The organisation, unless a goal adopted for it is still in play, then each procurement.
    static func scopeOptions(adopted: [CatalogueAdoptions.Adoption], procurements: [ProcurementChoices.Choice], _ s: Strings) -> [Option] {
        let organisationTaken = adopted.contains { $0.isActive && $0.procurementTitle == nil }
        return (organisationTaken ? [] : [Option(value: "", label: s["adopt_for_organisation"], selected: true)])
            + procurements.enumerated().map { index, procurement in
                Option(value: procurement.id.uuidString, label: procurement.title, selected: organisationTaken && index == 0)
            }
    }
}
