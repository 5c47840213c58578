import Foundation
import Hummingbird

/// `/help`: the signed-in person's own role explained, with the other roles' pages beside it,
/// and `/help/funnel`: each funnel step's guide, what makes a good goal, and examples of goals
/// for each of the national strategy's intentions.
struct HelpPages {
    let services: AppServices
    let pages: PageRenderer

    struct RoleLink: Sendable {
        let href: String
        let label: String
        let current: Bool
    }

    struct RoleModel: Sendable {
        let page: GuidanceContent.RolePage
        let roles: [RoleLink]
    }

    struct StepModel: Sendable {
        let anchor: String
        let number: Int
        let step: GuidanceContent.Step
    }

    struct ExampleGroup: Sendable {
        let code: String
        let name: String
        let examples: [ExampleRow]
    }

    struct ExampleRow: Sendable {
        let title: String
        let level: String
        let why: String
        let indicator: String
        let target: String
    }

    struct FunnelModel: Sendable {
        let steps: [StepModel]
        let goodGoal: GuidanceContent.GoodGoal
        let examples: [ExampleGroup]
    }

    func register(on web: WebRouter) {
        web.signedIn(.get, "/help") { web, identity in
            try rolePage(AccessRole(identity), web)
        }
        web.signedIn(.get, "/help/roles/:role") { web, _ in
            guard let role = web.context.parameters.get("role").flatMap(AccessRole.init(rawValue:)) else {
                throw LuotsiError.notFound("help page")
            }
            return try rolePage(role, web)
        }
        web.signedIn(.get, "/help/funnel") { web, _ in
            guard let content = pages.guidance.content(web.language) else { throw LuotsiError.notFound("help page") }
            let s = web.strings
            let catalogue = try await services.catalogue.view(language: web.language)
            let groups = catalogue.themes.compactMap { theme -> ExampleGroup? in
                guard let examples = content.examples[theme.code], !examples.isEmpty else { return nil }
                return ExampleGroup(
                    code: theme.code, name: theme.name,
                    examples: examples.map {
                        ExampleRow(title: $0.title, level: s["level_\($0.level)"], why: $0.why, indicator: $0.indicator, target: $0.target)
                    })
            }
            let steps = GuidanceLibrary.stepOrder.enumerated().compactMap { index, key in
                content.steps[key].map { StepModel(anchor: "step-\(key)", number: index + 1, step: $0) }
            }
            return pages.response(
                "help-funnel", title: s["help_funnel_title"],
                page: FunnelModel(steps: steps, goodGoal: content.goodGoal, examples: groups), web: web)
        }
    }

    private func rolePage(_ role: AccessRole, _ web: WebRequest) throws -> Response {
        guard let page = pages.guidance.content(web.language)?.roles[role.rawValue] else { throw LuotsiError.notFound("help page") }
        let roles = AccessRole.allCases.map { other in
            RoleLink(href: "/help/roles/\(other.rawValue)", label: web.strings["role_\(other.rawValue)"], current: other == role)
        }
        return pages.response("help", title: page.title, page: RoleModel(page: page, roles: roles), web: web)
    }
}
