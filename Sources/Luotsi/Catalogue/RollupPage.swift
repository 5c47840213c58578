import Foundation
import Hummingbird

/// `/platform/rollup`: the anonymised national roll-up — per national goal, how many
/// organisations adopted it and how their goals stand, shown only from enough organisations.
struct RollupPage {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let code: String
        let name: String
        let adoptedBy: String
        let statuses: String
        let attainment: String
    }

    struct Model: Sendable {
        let summary: String
        let rows: [Row]
    }

    func register(on web: WebRouter) {
        web.platform(.get, "/platform/rollup", .readRollup) { web, _ in
            let s = web.strings
            let rollup = try await NationalRollup.build(cache: services.rollup, catalogue: services.catalogue, language: web.language)
            let rows = rollup.goals.map { goal in
                Row(
                    code: goal.code, name: goal.name, adoptedBy: goal.adoptedBy.map(String.init) ?? s["rollup_suppressed"],
                    statuses: (goal.statuses ?? [:]).sorted { $0.key < $1.key }.map { "\(s["status_\($0.key)"]) \($0.value)" }.joined(
                        separator: ", "),
                    attainment: (goal.attainment ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) %: \($0.value)" }.joined(
                        separator: ", "))
            }
            let model = Model(
                summary: s.counted(
                    "rollup_summary", rollup.organisations,
                    ["minimum": "\(rollup.minimumOrganisations)", "version": "\(rollup.catalogueVersion)"]),
                rows: rows)
            return pages.response("platform-rollup", title: s["rollup_title"], page: model, web: web)
        }
    }
}
