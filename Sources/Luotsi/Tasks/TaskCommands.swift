import Foundation
import Postgres

// The task inputs (`NewTaskInput`, `TaskPatchInput`) and the task forms (TaskForms.swift) both
// become these checked commands before any transaction opens, so an error names the same field
// for both. What needs the organisation's data (the procurement, the goal, the assignee, the
// task's own state and `TaskPolicy`) is checked by `TaskRepository` inside it.

/// `POST …/procurements/{id}/tasks`, checked.
public struct NewTask: Sendable {
    public let title: String
    public let goalID: UUID
    public let assigneeID: UUID?
    public let due: CalendarDate?
    /// `nil`: the procurement's phase when the task is added.
    public let phase: ProcurementPhase?

    public init(title: String, goalID: UUID?, assigneeID: UUID? = nil, due: CalendarDate? = nil, phase: String? = nil) throws {
        self.title = try TextRules.title(title)
        guard let goalID else { throw LuotsiError.invalid(field: "goalId", reason: "is required") }
        self.goalID = goalID
        self.assigneeID = assigneeID
        self.due = due
        self.phase = try phase.map { try ProcurementPhase.parse($0) }
    }

    public init(_ input: NewTaskInput) throws {
        try self.init(title: input.title, goalID: input.goalId, assigneeID: input.assigneeId, due: input.due, phase: input.phase)
    }
}

/// `PATCH …/tasks/{id}`, checked; what is `.absent` stays as it is.
public struct TaskChanges: Sendable {
    public let title: String?
    public let status: String?
    public let assigneeID: Patch<UUID>
    public let due: Patch<CalendarDate>
    /// `.null` leaves the task without a phase.
    public let phase: Patch<ProcurementPhase>
    public let goalID: UUID?

    /// Only the status changes: all that `TaskPolicy` lets a person do on a task of their own.
    var statusOnly: Bool { title == nil && !assigneeID.isPresent && !due.isPresent && !phase.isPresent && goalID == nil }

    public init(
        title: Patch<String> = .absent, status: Patch<String> = .absent, assigneeID: Patch<UUID> = .absent,
        due: Patch<CalendarDate> = .absent, phase: Patch<String> = .absent, goalID: Patch<UUID> = .absent
    ) throws {
        if case .null = goalID { throw LuotsiError.invalid(field: "goalId", reason: "must not be null: a task serves a goal") }
        self.goalID = goalID.value
        switch title {
        case .absent: self.title = nil
        case .null: throw LuotsiError.invalid(field: "title", reason: "must not be null")
        case .value(let text): self.title = try TextRules.title(text)
        }
        switch status {
        case .absent: self.status = nil
        case .value(let text) where TaskRepository.statuses.contains(text): self.status = text
        case .null, .value: throw LuotsiError.invalid(field: "status", reason: "must be todo, doing or done")
        }
        self.assigneeID = assigneeID
        self.due = due
        switch phase {
        case .absent: self.phase = .absent
        case .null: self.phase = .null
        case .value(let text): self.phase = .value(try ProcurementPhase.parse(text))
        }
    }

    public init(_ input: TaskPatchInput) throws {
        try self.init(
            title: input.title, status: input.status, assigneeID: input.assigneeId, due: input.due, phase: input.phase, goalID: input.goalId
        )
    }
}
