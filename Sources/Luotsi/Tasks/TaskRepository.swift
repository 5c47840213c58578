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
    public static let fields: Set<String> = ["title", "status", "assigneeId", "due", "phase", "goalId"]
    public var title: Patch<String>
    public var status: Patch<String>
    public var assigneeId: Patch<UUID>
    public var due: Patch<CalendarDate>
    public var phase: Patch<String>
    /// The goal the task serves: one of its procurement's, or an organisation goal.
    public var goalId: Patch<UUID>
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

    /// The tasks of one procurement (the first `limit`, in the order they were added), as a read
    /// to pipeline with the procurement's page.
    static func read(procurement: UUID, limit: Int) -> PipelinedRead<[TaskView]> {
        PipelinedRead(statements: ["SELECT * FROM tasks WHERE procurement_id = \(procurement) ORDER BY seq LIMIT \(limit)"]) { results in
            try results.at(0).map { try Self.task(from: $0) }
        }
    }

    public func create(_ task: NewTask, procurementID: UUID, by actor: Identity.Member, on connection: TenantConnection)
        async throws -> TaskView
    {
        guard let procurement = try await connection.query("SELECT phase FROM procurements WHERE id = \(procurementID)").single() else {
            throw LuotsiError.notFound("procurement")
        }
        try await Self.requireGoal(task.goalID, servableIn: procurementID, on: connection)
        if let assignee = task.assigneeID { try await UserRepository.requireActive(assignee, field: "assigneeId", on: connection) }
        let phase = try task.phase?.rawValue ?? procurement.decode("phase", as: String.self)
        let row = try await connection.query(
            """
            INSERT INTO tasks (procurement_id, goal_id, title, assignee_id, due, phase, created_by)
            VALUES (\(procurementID), \(task.goalID), \(task.title), \(task.assigneeID), \(task.due), \(phase), \(actor.id)) RETURNING *
            """
        ).one()
        let created = try Self.task(from: row)
        try await AuditLog.record("task.create", entity: "task", id: created.id, by: actor, after: created, on: connection)
        if created.assigneeId != nil { try await Notifier.taskAssigned(created.id, by: actor, on: connection) }
        return created
    }

    /// Who may change what: `TaskPolicy` (staff only the status of their own tasks).
    public func update(_ id: UUID, with changes: TaskChanges, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> TaskView
    {
        guard let row = try await connection.query("SELECT * FROM tasks WHERE id = \(id) FOR UPDATE").single() else {
            throw LuotsiError.notFound("task")
        }
        let before = try Self.task(from: row)
        if let refusal = TaskPolicy(actor).refusal(assignedTo: before.assigneeId, statusOnly: changes.statusOnly) { throw refusal }
        var assignments: [SQL] = ["updated_at = now()"]
        if let title = changes.title { assignments.append("title = \(title)") }
        if let status = changes.status { assignments.append("status = \(status)") }
        if changes.assigneeID.isPresent {
            if let assignee = changes.assigneeID.value {
                try await UserRepository.requireActive(assignee, field: "assigneeId", on: connection)
            }
            assignments.append("assignee_id = \(changes.assigneeID.value)")
        }
        if changes.due.isPresent { assignments.append("due = \(changes.due.value)") }
        if changes.phase.isPresent { assignments.append("phase = \(changes.phase.value?.rawValue)") }
        if let goal = changes.goalID {
            try await Self.requireGoal(goal, servableIn: before.procurementId, on: connection)
            assignments.append("goal_id = \(goal)")
        }
        let after = try Self.task(
            from: try await connection.query("UPDATE tasks SET \(SQL.joined(assignments, separator: ", ")) WHERE id = \(id) RETURNING *")
                .one()
        )
        try await AuditLog.record("task.update", entity: "task", id: id, by: actor, before: before, after: after, on: connection)
        if after.assigneeId != nil, after.assigneeId != before.assigneeId {
            try await Notifier.taskAssigned(id, by: actor, on: connection)
        }
        return after
    }

    /// A task of `procurement` serves one of its goals or an organisation goal.
    static func requireGoal(_ goal: UUID, servableIn procurement: UUID, on connection: TenantConnection) async throws {
        guard let row = try await connection.query("SELECT procurement_id FROM goals WHERE id = \(goal)").single() else {
            throw LuotsiError.unknownReference(field: "goalId", what: "no such goal")
        }
        let goalProcurement: UUID? = try row.decode("procurement_id")
        guard goalProcurement == nil || goalProcurement == procurement else {
            throw LuotsiError.invalid(field: "goalId", reason: "the goal belongs to another procurement")
        }
    }

    /// One task (nil when there is none), as a read to pipeline with others.
    static func read(task id: UUID) -> PipelinedRead<TaskView?> {
        PipelinedRead(statements: ["SELECT * FROM tasks WHERE id = \(id)"]) { results in
            try results.at(0).first.map { try Self.task(from: $0) }
        }
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
