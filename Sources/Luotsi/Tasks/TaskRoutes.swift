import Foundation
import Hummingbird

/// Tasks: a procurement's (`/orgs/{org}/procurements/{id}/tasks`) and the organisation-wide list.
struct TaskRoutes {
    let services: AppServices

    func register(on api: APIRouter) {
        let tasks = services.tasks
        let base = "/api/v1/orgs/:org/procurements"
        api.organisation(.get, "\(base)/:id/tasks", .readOrganisation) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let page = try PageRequest(request: request)
            return try JSONOutput.response(
                try await services.readingOrganisation(member) {
                    try await tasks.list(procurementID: id, assignee: nil, status: nil, page: page, on: $0)
                })
        }
        api.organisation(.post, "\(base)/:id/tasks", .manageTasks) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let task = try NewTask(try await JSONBody.decode(NewTaskInput.self, from: request))
            let created = try await services.inOrganisation(member) { try await tasks.create(task, procurementID: id, by: member, on: $0) }
            return try JSONOutput.response(created, status: .created)
        }
        api.organisation(.get, "/api/v1/orgs/:org/tasks", .readOrganisation) { request, _, member in
            let page = try PageRequest(request: request)
            let assignee: UUID? = try RequestValues.query(request, "assignee").map { text in
                if text == "me" { return member.id }
                guard let id = UUID(uuidString: text) else {
                    throw LuotsiError.invalid(field: "assignee", reason: "must be me or a user id")
                }
                return id
            }
            let status = try RequestValues.query(request, "status", oneOf: TaskRepository.statuses)
            let key = "tasks.list|\(assignee?.uuidString ?? "")|\(status ?? "")|\(page.after)|\(page.limit)"
            return try JSONOutput.response(
                try await services.readingOrganisation(member, cached: key) {
                    try await tasks.list(procurementID: nil, assignee: assignee, status: status, page: page, on: $0)
                })
        }
        api.organisation(.patch, "/api/v1/orgs/:org/tasks/:id", .updateTask) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let changes = try TaskChanges(try await JSONBody.decode(TaskPatchInput.self, from: request))
            return try JSONOutput.response(
                try await services.inOrganisation(member) { try await tasks.update(id, with: changes, by: member, on: $0) })
        }
    }
}
