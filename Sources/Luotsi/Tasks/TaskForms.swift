import Foundation
import Hummingbird

/// The task forms: adding a task on a procurement's page, and changing a task's status (and,
/// for those `TaskPolicy` lets, its assignee) from any page that lists it. Each post calls the
/// same `TaskRepository` method as the API.
struct TaskForms {
    let services: AppServices
    let pages: PageRenderer

    func register(on web: WebRouter) {
        web.member(.post, "/procurements/:id/tasks", .manageTasks) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                guard let goalID = try form.uuid("goalId") else { throw LuotsiError.invalid(field: "goalId", reason: "is required") }
                let input = NewTaskInput(
                    title: form.raw("title"), goalId: goalID, assigneeId: try form.uuid("assigneeId"), due: try form.date("due"),
                    phase: form.text("phase"))
                _ = try await services.inOrganisation(member) {
                    try await services.tasks.create(input, procurementID: id, by: member, on: $0)
                }
                return PageRenderer.redirect("/procurements/\(id.uuidString)?notice=task_created#tasks")
            } catch {
                // The procurement page holds two forms with a `phase`: the task form's inputs are `task-…`.
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "title", form: "task-") else {
                    throw error
                }
                return try await ProcurementDetailPage(services: services, pages: pages).show(id, web, member, typed: form, errors: errors)
            }
        }
        web.member(.post, "/tasks/:id", .updateTask) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let status = web.form.text("status")
            let assignee = try web.form.uuid("assigneeId")
            let input = TaskPatchInput(
                title: .absent, status: status.map(Patch.value) ?? .absent, assigneeId: assignee.map(Patch.value) ?? .absent, due: .absent,
                phase: .absent)
            _ = try await services.inOrganisation(member) { try await services.tasks.update(id, with: input, by: member, on: $0) }
            let back = LocalPath.safe(web.form.text("back"))
            return PageRenderer.redirect((back.isEmpty ? "/my-work" : back) + "?notice=task_saved")
        }
    }
}
