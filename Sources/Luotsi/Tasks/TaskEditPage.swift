import Foundation
import Hummingbird

/// `/tasks/{id}/edit`: a task's title, goal, due date and phase, for those who change any task
/// (`TaskPolicy.changesAnyTask`). The post is the API's `PATCH …/tasks/{id}` (`TaskChanges`),
/// and leads back to the task's procurement.
struct TaskEditPage {
    let services: AppServices
    let pages: PageRenderer

    struct Model: Sendable {
        let id: String
        let procurementHref: String
        let title: String
        let goalOptions: [Option]
        let due: String
        let phaseOptions: [Option]
    }

    func register(on web: WebRouter) {
        web.member(.get, "/tasks/:id/edit", .updateAnyTask) { web, member in
            try await show(try RequestValues.uuid(web.context, "id"), web, member)
        }
        web.member(.post, "/tasks/:id/edit", .updateAnyTask) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                let changes = try TaskChanges(
                    title: .value(form.raw("title")), due: try form.date("due").map(Patch.value) ?? .null,
                    phase: form.text("phase").map(Patch.value) ?? .null,
                    goalID: try form.uuid("goalId").map(Patch.value) ?? .null)
                let task = try await services.inOrganisation(member) {
                    try await services.tasks.update(id, with: changes, by: member, on: $0)
                }
                return PageRenderer.redirect("/procurements/\(task.procurementId.uuidString)?notice=task_saved#tasks")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "title") else { throw error }
                return try await show(id, web, member, typed: form, errors: errors)
            }
        }
    }

    func show(_ id: UUID, _ web: WebRequest, _ member: Identity.Member, typed: FormData? = nil, errors: [PageFrame.FieldError] = [])
        async throws -> Response
    {
        let s = web.strings
        let read = TaskRepository.read(task: id).and(TaskGoalChoices.read(forTask: id))
        let found = try await services.readingOrganisation(member) { try await read.read(on: $0) }
        guard let task = found.first else { throw LuotsiError.notFound("task") }
        let goal = typed.map { (try? $0.uuid("goalId")) ?? nil } ?? task.goalId
        let phase = typed.map { $0.text("phase") } ?? task.phase
        let model = Model(
            id: task.id.uuidString, procurementHref: "/procurements/\(task.procurementId.uuidString)",
            title: typed?.raw("title") ?? task.title,
            goalOptions: found.second.map { Option(value: $0.id.uuidString, label: $0.title, selected: $0.id == goal) },
            due: typed?.raw("due") ?? task.due?.description ?? "",
            phaseOptions: [Option(value: "", label: s["phase_none"], selected: phase == nil)]
                + ProcurementPhase.allCases.map {
                    Option(value: $0.rawValue, label: s["phase_\($0.rawValue)"], selected: $0.rawValue == phase)
                })
        return pages.response(
            "task-edit", title: s.format("task_edit_title", ["task": task.title]), page: model, web: web,
            status: errors.isEmpty ? .ok : .unprocessableContent, errors: errors)
    }
}
