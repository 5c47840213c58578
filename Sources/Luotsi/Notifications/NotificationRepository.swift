import Foundation
import Postgres

/// One notification as the API and the pages read it: facts, put into words in the reader's
/// language by the page (`NotificationText`).
public struct NotificationItem: Encodable, Sendable {
    public let id: UUID
    public let kind: String
    public let createdAt: Date
    public let read: Bool
    public let actorId: UUID?
    public let actorName: String?
    public let goalId: UUID?
    public let goalTitle: String?
    public let taskId: UUID?
    public let taskTitle: String?
    public let taskDue: CalendarDate?
    public let toStatus: String?
    public let reason: String?
    /// The page it is about, e.g. `/goals/…`.
    public let path: String
    /// The goal's title with the national name in each language (adopted goals), for the pages.
    var goalName: GoalTitle? {
        goalTitle.map { GoalTitle(stored: $0, national: national) }
    }
    let national: Localized?

    enum CodingKeys: String, CodingKey {
        case id, kind, createdAt, read, actorId, actorName, goalId, goalTitle, taskId, taskTitle, taskDue, toStatus, reason, path
    }

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        kind = try row.decode("kind")
        createdAt = try row.decode("created_at")
        read = try row.decode("read_at", as: Date?.self) != nil
        actorId = try row.decode("actor_id")
        actorName = try row.decode("actor_name")
        goalId = try row.decode("goal_id")
        goalTitle = try row.decode("goal_title")
        national = try row.decode("goal_catalogue_name", as: JSONB?.self)?.decode(Localized.self)
        taskId = try row.decode("task_id")
        taskTitle = try row.decode("task_title")
        taskDue = try row.decode("task_due")
        toStatus = try row.decode("to_status")
        reason = try row.decode("reason")
        path = Self.path(kind: kind, goal: goalId, task: taskId)
    }

    /// Where a notification leads: a task to the person's work list, the rest to the goal.
    static func path(kind: String, goal: UUID?, task: UUID?) -> String {
        if task != nil, kind == Notifier.Kind.taskAssigned.rawValue || kind == Notifier.Kind.taskOverdue.rawValue { return "/my-work" }
        return goal.map { "/goals/\($0.uuidString.lowercased())" } ?? "/notifications"
    }
}

/// A person's notifications: the list, newest first, the unread count and marking them read.
public struct NotificationRepository: Sendable {
    public init() {}

    /// The columns `NotificationItem(row:)` reads, from `notifications n` and what it names.
    static let columns: SQL = """
        n.seq, n.id, n.kind, n.created_at, n.read_at, n.actor_id, a.name AS actor_name, n.goal_id, g.title AS goal_title,
        g.catalogue_name AS goal_catalogue_name, n.task_id, t.title AS task_title, t.due AS task_due, n.to_status, n.reason
        FROM notifications n LEFT JOIN users a ON a.id = n.actor_id LEFT JOIN goals g ON g.id = n.goal_id
        LEFT JOIN tasks t ON t.id = n.task_id
        """

    public func list(for person: UUID, unreadOnly: Bool = false, page: PageRequest, on connection: TenantConnection) async throws -> Page<
        NotificationItem
    > {
        let after = page.after == 0 ? Int64.max : page.after
        let rows = try await connection.query(
            """
            SELECT \(Self.columns)
            WHERE n.recipient_id = \(person) AND n.seq < \(after) AND (NOT \(unreadOnly) OR n.read_at IS NULL)
            ORDER BY n.seq DESC LIMIT \(page.limit + 1)
            """)
        return page.page(try rows.map { (try $0.decode("seq", as: Int64.self), try NotificationItem(row: $0)) })
    }

    /// How many of the person's notifications are unread.
    static func readUnreadCount(for person: UUID) -> PipelinedRead<Int> {
        PipelinedRead(statements: ["SELECT count(*) AS n FROM notifications WHERE recipient_id = \(person) AND read_at IS NULL"]) {
            try $0.at(0).one().decode("n")
        }
    }

    /// Marks the person's notifications `ids` (or all of them) read; returns how many stay unread.
    /// Ids that are not the person's are passed over: one cannot learn or touch another's.
    public func markRead(_ selection: Selection, for person: UUID, on connection: TenantConnection) async throws -> Int {
        let ids: [UUID]? =
            switch selection {
            case .all: nil
            case .ids(let ids): ids
            }
        try await connection.query(
            """
            UPDATE notifications SET read_at = now()
            WHERE recipient_id = \(person) AND read_at IS NULL AND (\(ids == nil) OR id = ANY(\(ids ?? [])))
            """)
        return try await Self.readUnreadCount(for: person).read(on: connection)
    }

    public enum Selection: Sendable {
        case all
        case ids([UUID])
    }
}
