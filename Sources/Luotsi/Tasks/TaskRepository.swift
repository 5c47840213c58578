import Foundation
import Postgres

/// `POST …/procurements/{id}/tasks`.
public struct NewTaskInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["title", "goalId", "assigneeId", "due", "phase"]
    public var title: String
    public var goalId: UUID
    public var assigneeId: UUID?
    public var due: CalendarDate?
    public var phase: String?
}

/// `PATCH …/tasks/{id}`.
public struct TaskPatchInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["title", "status", "assigneeId", "due", "phase"]
    public var title: Patch<String>
    public var status: Patch<String>
    public var assigneeId: Patch<UUID>
    public var due: Patch<CalendarDate>
    public var phase: Patch<String>
}

/// A task as the API shows it.
public struct TaskView: Codable, Sendable {
    public let id: UUID
    public let procurementId: UUID
    public let goalId: UUID
    public let title: String
    public let assigneeId: UUID?
    public let due: CalendarDate?
    public let phase: String?
    public let status: String
    public let createdBy: UUID
    public let createdAt: Date
    public let updatedAt: Date
}

/// Tasks carry goals out inside procurements.
public struct TaskRepository: Sendable {
    public static let statuses = ["todo", "doing", "done"]

    public init() {}

    /// Tasks of one procurement, or across the organisation filtered by assignee and status.
    public func list(
        procurementID: UUID?, assignee: UUID?, status: String?, page: PageRequest, on connection: TenantConnection
    ) async throws -> Page<TaskView> {
        if let procurementID, try await connection.query("SELECT 1 FROM procurements WHERE id = \(procurementID)").single() == nil {
            throw LuotsiError.notFound("procurement")
        }
        let rows = try await connection.query(
            """
            SELECT * FROM tasks
            WHERE seq > \(page.after)
              AND (\(procurementID)::uuid IS NULL OR procurement_id = \(procurementID))
              AND (\(assignee)::uuid IS NULL OR assignee_id = \(assignee))
              AND (\(status)::text IS NULL OR status = \(status))
            ORDER BY seq LIMIT \(page.limit + 1)
            """)
        return page.page(try rows.map { (try $0.decode("seq", as: Int64.self), try Self.task(from: $0)) })
    }

    public func create(_ input: NewTaskInput, procurementID: UUID, by actor: Identity.Member, on connection: TenantConnection)
        async throws -> TaskView
    {
        guard let procurement = try await connection.query("SELECT phase FROM procurements WHERE id = \(procurementID)").single() else {
            throw LuotsiError.notFound("procurement")
        }
        let title = try TextRules.title(input.title)
        guard let goal = try await connection.query("SELECT level, procurement_id FROM goals WHERE id = \(input.goalId)").single() else {
            throw LuotsiError.unknownReference(field: "goalId", what: "no such goal")
        }
        let goalProcurement: UUID? = try goal.decode("procurement_id")
        guard goalProcurement == nil || goalProcurement == procurementID else {
            throw LuotsiError.invalid(field: "goalId", reason: "the goal belongs to another procurement")
        }
        if let assignee = input.assigneeId { try await UserRepository.requireActive(assignee, field: "assigneeId", on: connection) }
        let phase = try input.phase.map { try ProcurementPhase.parse($0).rawValue } ?? (try procurement.decode("phase", as: String.self))
        let row = try await connection.query(
            """
            INSERT INTO tasks (procurement_id, goal_id, title, assignee_id, due, phase, created_by)
            VALUES (\(procurementID), \(input.goalId), \(title), \(input.assigneeId), \(input.due), \(phase), \(actor.id)) RETURNING *
            """
        ).one()
        let task = try Self.task(from: row)
        try await AuditLog.record("task.create", entity: "task", id: task.id, by: actor, after: task, on: connection)
        return task
    }

    /// Who may change what: `TaskPolicy` (staff only the status of their own tasks).
    public func update(_ id: UUID, with input: TaskPatchInput, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> TaskView
    {
        guard let row = try await connection.query("SELECT * FROM tasks WHERE id = \(id) FOR UPDATE").single() else {
            throw LuotsiError.notFound("task")
        }
        let before = try Self.task(from: row)
        let statusOnly = !(input.title.isPresent || input.assigneeId.isPresent || input.due.isPresent || input.phase.isPresent)
        if let refusal = TaskPolicy(actor).refusal(assignedTo: before.assigneeId, statusOnly: statusOnly) { throw refusal }
        var assignments: [SQL] = ["updated_at = now()"]
        if input.title.isPresent {
            guard let title = input.title.value else { throw LuotsiError.invalid(field: "title", reason: "must not be null") }
            assignments.append("title = \(try TextRules.title(title))")
        }
        if input.status.isPresent {
            guard let status = input.status.value, Self.statuses.contains(status) else {
                throw LuotsiError.invalid(field: "status", reason: "must be todo, doing or done")
            }
            assignments.append("status = \(status)")
        }
        if input.assigneeId.isPresent {
            if let assignee = input.assigneeId.value {
                try await UserRepository.requireActive(assignee, field: "assigneeId", on: connection)
            }
            assignments.append("assignee_id = \(input.assigneeId.value)")
        }
        if input.due.isPresent { assignments.append("due = \(input.due.value)") }
        if input.phase.isPresent { assignments.append("phase = \(try input.phase.value.map { try ProcurementPhase.parse($0).rawValue })") }
        let after = try Self.task(
            from: try await connection.query("UPDATE tasks SET \(SQL.joined(assignments, separator: ", ")) WHERE id = \(id) RETURNING *")
                .one()
        )
        try await AuditLog.record("task.update", entity: "task", id: id, by: actor, before: before, after: after, on: connection)
        return after
    }

    static func task(from row: PostgresRow) throws -> TaskView {
        TaskView(
            id: try row.decode("id"), procurementId: try row.decode("procurement_id"), goalId: try row.decode("goal_id"),
            title: try row.decode("title"),
            assigneeId: try row.decode("assignee_id"), due: try row.decode("due"), phase: try row.decode("phase"),
            status: try row.decode("status"),
            createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
