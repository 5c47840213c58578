import Foundation

/// Who may change which task, and how much of it. The repository refuses with `refusal`, and the
/// pages offer a task's status and assignee controls only where it allows them. The roles come
/// from the permission table (`updateAnyTask`); this adds "one's own task".
struct TaskPolicy: Sendable {
    let role: AccessRole
    let person: UUID

    init(_ member: Identity.Member) { self.init(role: AccessRole(.member(member)), person: member.id) }

    init(role: AccessRole, person: UUID) {
        self.role = role
        self.person = person
    }

    /// Whether this person may change everything of any task (title, assignee, due, phase).
    var changesAnyTask: Bool { Permissions.allows(role, .updateAnyTask) }

    /// Whether this person may change the status of a task assigned to `assignee`.
    func mayChangeStatus(assignedTo assignee: UUID?) -> Bool { changesAnyTask || assignee == person }

    /// Why this person may not make the change to a task assigned to `assignee`; `statusOnly`:
    /// the change touches nothing but the status. Nil when they may.
    func refusal(assignedTo assignee: UUID?, statusOnly: Bool) -> LuotsiError? {
        if changesAnyTask { return nil }
        guard assignee == person else { return .forbidden("your role changes only tasks assigned to you") }
        return statusOnly ? nil : .forbidden("your role changes only the status of your tasks")
    }
}
