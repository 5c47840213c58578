import Foundation
import Hummingbird

/// The goal page's forms: edit (with the version it was read at), funnel moves, milestones'
/// ticks, comments and support. Each post calls the same repository method as the API, and a refused value shows
/// the page (`GoalPage`) again with what was typed.
struct GoalForms {
    let services: AppServices
    let pages: PageRenderer

    func register(on web: WebRouter) {
        web.member(.post, "/goals/:id/edit", .editGoal) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                guard let version = try form.int("version") else { throw LuotsiError.preconditionRequired }
                // A procurement goal's form also links it to what it supports (the selects are absent otherwise).
                let aligns = form.values["alignsTo"] != nil
                let changes = try GoalChanges(
                    title: form.raw("title"), description: .value(form.raw("description")),
                    priority: try form.int("priority").map(Patch.value) ?? .null,
                    alignsTo: aligns ? .value(try AlignmentChoices.chosen(in: form)) : .absent)
                _ = try await services.inOrganisation(member) {
                    try await services.goals.update(id, expectedVersion: version, with: changes, by: member, on: $0)
                }
                return PageRenderer.redirect("/goals/\(id.uuidString)?notice=goal_saved")
            } catch LuotsiError.preconditionFailed {
                // Changed meanwhile: show the current values beside what was typed, keeping the typing.
                let current = try await services.inOrganisation(member) { try await services.goals.get(id, viewer: member, on: $0) }
                return try await show(id, web, member, typed: form, stale: current, status: .conflict)
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "title") else { throw error }
                return try await show(id, web, member, typed: form, errors: errors)
            }
        }
        web.member(.post, "/goals/:id/plan-year", .editGoal) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                guard let version = try form.int("version") else { throw LuotsiError.preconditionRequired }
                let changes = try GoalChanges(reason: form.raw("reason"), planYear: try form.int("planYear"))
                _ = try await services.inOrganisation(member) {
                    try await services.goals.update(id, expectedVersion: version, with: changes, by: member, on: $0)
                }
                return PageRenderer.redirect("/goals/\(id.uuidString)?notice=goal_year_moved#history")
            } catch {
                guard var errors = FormErrors.entries(error, strings: web.strings, defaultField: "planYear") else { throw error }
                // The reason's input has an id of its own on this page (the move form has one too).
                errors = errors.map { $0.fieldID == "reason" ? .init(fieldID: "plan-year-reason", message: $0.message) : $0 }
                return try await show(id, web, member, typed: form, errors: errors)
            }
        }
        web.member(.post, "/goals/:id/transitions", .siftGoal) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                let move = try GoalMove(try Self.transition(form))
                _ = try await services.inOrganisation(member) { try await services.goals.transition(id, move, by: member, on: $0) }
                return PageRenderer.redirect("/goals/\(id.uuidString)?notice=goal_moved")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "to") else { throw error }
                if form.text("to") == GoalStatus.scheduled.rawValue {
                    return try await GoalSchedulePage(services: services, pages: pages).show(id, web, member, typed: form, errors: errors)
                }
                return try await show(id, web, member, typed: form, errors: errors)
            }
        }
        // A milestone's tick (or its undoing), for whoever may check in on the goal.
        web.member(.post, "/goals/:id/milestones/:milestoneId", .checkIn) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let milestoneID = try RequestValues.uuid(web.context, "milestoneId")
            let done = web.form.text("done") != "0"
            _ = try await services.inOrganisation(member) {
                try await services.goals.setMilestone(milestoneID, of: id, done: done, by: member, on: $0)
            }
            return PageRenderer.redirect("/goals/\(id.uuidString)?notice=milestone_saved#milestones")
        }
        web.member(.post, "/goals/:id/comments", .discussGoal) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            do {
                _ = try await services.inOrganisation(member) {
                    try await services.discussion.addComment(CommentInput(text: web.form.raw("text")), on: id, by: member, on: $0)
                }
                return PageRenderer.redirect("/goals/\(id.uuidString)?notice=comment_added#comments")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "text") else { throw error }
                return try await show(id, web, member, typed: web.form, errors: errors)
            }
        }
        web.member(.post, "/goals/:id/support", .discussGoal) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let support = web.form.text("support") != "0"
            _ = try await services.inOrganisation(member) { try await services.discussion.setSupport(support, on: id, by: member, on: $0) }
            return PageRenderer.redirect(
                support ? "/goals/\(id.uuidString)?notice=supported" : "/goals/\(id.uuidString)?notice=support_withdrawn")
        }
    }

    private func show(
        _ id: UUID, _ web: WebRequest, _ member: Identity.Member, typed: FormData? = nil, stale: GoalView? = nil,
        errors: [PageFrame.FieldError] = [], status: HTTPResponse.Status? = nil
    ) async throws -> Response {
        try await GoalPage(services: services, pages: pages).show(
            id, web, member, typed: typed, stale: stale, errors: errors, status: status)
    }

    /// A funnel move from the form: the schedule's fields and rows only when scheduling.
    static func transition(_ form: FormData) throws -> TransitionInput {
        let to = form.text("to") ?? ""
        guard to == GoalStatus.scheduled.rawValue else { return TransitionInput(to: to, reason: form.raw("reason")) }
        var milestones: [MilestoneInput] = []
        for row in 0..<GoalSchedulePage.rows {
            let title = form.text("milestones-\(row)-title")
            let due = try form.date("milestones-\(row)-due", field: "milestones[\(milestones.count)].due")
            guard title != nil || due != nil else { continue }
            guard let due else { throw LuotsiError.invalid(field: "milestones[\(milestones.count)].due", reason: "is required") }
            milestones.append(MilestoneInput(title: title ?? "", due: due, done: false))
        }
        var indicators: [IndicatorInput] = []
        // Up to 21 rows: the catalogue may pre-fill more than the form's usual three; blank rows add nothing.
        for row in 0..<21 {
            let name = form.text("indicators-\(row)-name")
            let target = try form.decimal("indicators-\(row)-target", field: "indicators[\(indicators.count)].target")
            guard name != nil || target != nil else { continue }
            guard let target else { throw LuotsiError.invalid(field: "indicators[\(indicators.count)].target", reason: "is required") }
            indicators.append(
                IndicatorInput(
                    name: name ?? "", unit: form.text("indicators-\(row)-unit"),
                    baseline: try form.decimal("indicators-\(row)-baseline", field: "indicators[\(indicators.count)].baseline"),
                    target: target,
                    direction: form.text("indicators-\(row)-direction") ?? "increase",
                    catalogueIndicatorId: try form.uuid(
                        "indicators-\(row)-catalogueIndicatorId", field: "indicators[\(indicators.count)].catalogueIndicatorId")))
        }
        return TransitionInput(
            to: to, reason: form.raw("reason"), ownerId: try form.uuid("ownerId"), start: try form.date("start"), due: try form.date("due"),
            milestones: milestones, indicators: indicators)
    }
}
