import Foundation
import Hummingbird

/// `/goals/{id}/reschedule`: a scheduled goal's new owner or dates, and why. The post is the
/// API's `PATCH …/goals/{id}` with `ownerId`, `start`, `due` and `reason` (`GoalChanges`), so the
/// same rules refuse it (`GoalPolicy.scheduleChangeRefusal`) and the move is kept in the goal's
/// history.
struct GoalReschedulePage {
    let services: AppServices
    let pages: PageRenderer

    struct Model: Sendable {
        let id: String
        let title: String
        let version: Int
        let ownerOptions: [Option]
        let start: String
        let due: String
        let reason: String
    }

    func register(on web: WebRouter) {
        web.member(.get, "/goals/:id/reschedule", .editGoal) { web, member in
            try await show(try RequestValues.uuid(web.context, "id"), web, member)
        }
        web.member(.post, "/goals/:id/reschedule", .editGoal) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                guard let version = try form.int("version") else { throw LuotsiError.preconditionRequired }
                let changes = try GoalChanges(
                    ownerId: try form.uuid("ownerId").map(Patch.value) ?? .absent, start: try form.date("start").map(Patch.value) ?? .null,
                    due: try form.date("due").map(Patch.value) ?? .null, reason: form.raw("reason"))
                _ = try await services.inOrganisation(member) {
                    try await services.goals.update(id, expectedVersion: version, with: changes, by: member, on: $0)
                }
                return PageRenderer.redirect("/goals/\(id.uuidString)?notice=goal_rescheduled#history")
            } catch LuotsiError.preconditionFailed {
                return try await show(
                    id, web, member, typed: form, errors: [.init(fieldID: "start", message: web.strings["err_stale_goal"])],
                    status: .conflict)
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "reason") else { throw error }
                return try await show(id, web, member, typed: form, errors: errors)
            }
        }
    }

    func show(
        _ id: UUID, _ web: WebRequest, _ member: Identity.Member, typed: FormData? = nil, errors: [PageFrame.FieldError] = [],
        status: HTTPResponse.Status? = nil
    ) async throws -> Response {
        let s = web.strings
        let read = GoalViews(platform: services.goals.platform).read(id).and(People.read())
        let found = try await services.readingOrganisation(member) { try await read.read(on: $0) }
        guard let goal = found.first[id, seenBy: member.id] else { throw LuotsiError.notFound("goal") }
        guard goal.status == .scheduled else { throw LuotsiError.conflict("only a scheduled goal is rescheduled") }
        if let refusal = GoalPolicy(member).scheduleChangeRefusal(level: goal.level) { throw refusal }
        let owner = (try? typed?.uuid("ownerId")) ?? goal.ownerId ?? member.id
        let model = Model(
            id: goal.id.uuidString, title: goal.title(in: web.language), version: goal.version,
            ownerOptions: found.second.options(selected: owner, emptyLabel: nil),
            start: typed?.raw("start") ?? goal.start?.description ?? "", due: typed?.raw("due") ?? goal.due?.description ?? "",
            reason: typed?.raw("reason") ?? "")
        return pages.response(
            "goal-reschedule", title: s.format("reschedule_title", ["goal": goal.title(in: web.language)]), page: model, web: web,
            status: status ?? (errors.isEmpty ? .ok : .unprocessableContent), errors: errors)
    }
}
