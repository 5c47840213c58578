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
                let task = try NewTask(
                    title: form.raw("title"), goalID: try form.uuid("goalId"), assigneeID: try form.uuid("assigneeId"),
                    due: try form.date("due"), phase: form.text("phase"))
                _ = try await services.inOrganisation(member) {
                    try await services.tasks.create(task, procurementID: id, by: member, on: $0)
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
            // The list's form: the status, and the assignee where `TaskPolicy` offers the choice (an
            // empty choice changes nothing).
            let changes = try TaskChanges(
                status: web.form.text("status").map(Patch.value) ?? .absent,
                assigneeID: try web.form.uuid("assigneeId").map(Patch.value) ?? .absent)
            _ = try await services.inOrganisation(member) { try await services.tasks.update(id, with: changes, by: member, on: $0) }
            let back = LocalPath.safe(web.form.text("back"))
            return PageRenderer.redirect((back.isEmpty ? "/my-work" : back) + "?notice=task_saved")
        }
    }
}
