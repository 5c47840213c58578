import Foundation
import Hummingbird

/// `GET /goals/{id}`: one goal with its follow-up and discussion, and the forms the person may
/// use (`GoalDetailPage` is its model). The forms' posts (`GoalForms`, `CheckInPages`) show it
/// again with what was typed when a value is refused.
struct GoalPage {
    let services: AppServices
    let pages: PageRenderer

    func register(on web: WebRouter) {
        web.member(.get, "/goals/:id", .readOrganisation) { web, member in
            try await show(try RequestValues.uuid(web.context, "id"), web, member)
        }
    }

    func show(
        _ id: UUID, _ web: WebRequest, _ member: Identity.Member, typed: FormData? = nil, stale: GoalView? = nil,
        errors: [PageFrame.FieldError] = [], status: HTTPResponse.Status? = nil
    ) async throws -> Response {
        let (page, goal) = try await GoalDetailPage.load(id, web: web, member: member, services: services, typed: typed, stale: stale)
        return pages.response(
            "goal", title: goal.title(in: web.language), page: page, web: web,
            status: status ?? (errors.isEmpty ? .ok : .unprocessableContent),
            errors: errors)
    }
}
