import Foundation
import Postgres

/// Writes the notifications an event causes, in the transaction of the event itself, so that a
/// change and the word of it stand or fall together. Nobody is told of what they did themselves,
/// and an unread word of the same change by the same person is not repeated.
enum Notifier {
    /// A new idea: those who decide on it. Management, and the leads: for a procurement's idea
    /// its own lead when it has one, else every lead.
    static func ideaProposed(_ goal: UUID, by actor: Identity.Member, on connection: TenantConnection) async throws {
        try await connection.query(
            """
            INSERT INTO notifications (recipient_id, kind, actor_id, goal_id)
            SELECT u.id, 'idea_waiting', \(actor.id), g.id FROM goals g
            LEFT JOIN procurements p ON p.id = g.procurement_id
            JOIN users u ON u.active AND u.id <> \(actor.id)
              AND (u.role = 'management' OR (u.role = 'lead' AND (p.lead_id IS NULL OR p.lead_id = u.id)))
            WHERE g.id = \(goal) AND g.status = 'idea'
            """)
    }

    /// A goal moved through the funnel: its proposer hears of a decision on their idea (with the
    /// reason), its owner of any move someone else made.
    static func goalMoved(
        _ goal: UUID, from: GoalStatus, to: GoalStatus, reason: String, by actor: Identity.Member, on connection: TenantConnection
    ) async throws {
        let decision = [.idea, .shortlisted].contains(from) && [.shortlisted, .scheduled, .rejected].contains(to)
        try await connection.query(
            """
            INSERT INTO notifications (recipient_id, kind, actor_id, goal_id, to_status, reason)
            SELECT g.created_by, 'idea_decision', \(actor.id), g.id, \(to.rawValue), \(reason) FROM goals g
            JOIN users u ON u.id = g.created_by AND u.active
            WHERE g.id = \(goal) AND g.created_by <> \(actor.id) AND \(decision)
            UNION ALL
            SELECT g.owner_id, 'goal_changed', \(actor.id), g.id, \(to.rawValue), \(reason) FROM goals g
            JOIN users u ON u.id = g.owner_id AND u.active
            WHERE g.id = \(goal) AND g.owner_id <> \(actor.id) AND NOT (\(decision) AND g.owner_id = g.created_by)
            """)
    }

    /// Someone other than its owner changed a goal (its details, schedule, milestones,
    /// indicators, plan year, or checked in on it).
    static func goalChanged(_ goal: UUID, by actor: Identity.Member, reason: String? = nil, on connection: TenantConnection) async throws {
        try await connection.query(goalChangedStatement(goal, by: actor, reason: reason))
    }

    /// The same as one statement, for a write that sends its statements as one pipeline.
    static func goalChangedStatement(_ goal: UUID, by actor: Identity.Member, reason: String? = nil) -> SQL {
        """
        INSERT INTO notifications (recipient_id, kind, actor_id, goal_id, reason)
        SELECT g.owner_id, 'goal_changed', \(actor.id), g.id, \(reason) FROM goals g
        JOIN users u ON u.id = g.owner_id AND u.active
        WHERE g.id = \(goal) AND g.owner_id <> \(actor.id) AND NOT EXISTS (\(unread("g.owner_id", "goal_changed", actor)))
        """
    }

    /// A comment on, or support for, a goal: its proposer hears of it.
    static func discussed(_ goal: UUID, kind: Kind, by actor: Identity.Member, on connection: TenantConnection) async throws {
        let repeatable = kind == .ideaComment
        try await connection.query(
            """
            INSERT INTO notifications (recipient_id, kind, actor_id, goal_id)
            SELECT g.created_by, \(kind.rawValue), \(actor.id), g.id FROM goals g
            JOIN users u ON u.id = g.created_by AND u.active
            WHERE g.id = \(goal) AND g.created_by <> \(actor.id)
              AND (\(repeatable) OR NOT EXISTS (\(unread("g.created_by", kind.rawValue, actor))))
            """)
    }

    /// A task given to someone other than the one who gave it.
    static func taskAssigned(_ task: UUID, by actor: Identity.Member, on connection: TenantConnection) async throws {
        try await connection.query(
            """
            INSERT INTO notifications (recipient_id, kind, actor_id, task_id, goal_id)
            SELECT t.assignee_id, 'task_assigned', \(actor.id), t.id, t.goal_id FROM tasks t
            JOIN users u ON u.id = t.assignee_id AND u.active
            WHERE t.id = \(task) AND t.assignee_id <> \(actor.id)
            """)
    }

    /// An unread notification of `kind` on the goal `g` for `recipient` by `actor`, not yet mailed.
    private static func unread(_ recipient: String, _ kind: String, _ actor: Identity.Member) -> SQL {
        """
        SELECT 1 FROM notifications n WHERE n.recipient_id = \(unsafeRaw: recipient) AND n.goal_id = g.id AND n.kind = \(kind)
          AND n.actor_id = \(actor.id) AND n.read_at IS NULL AND n.emailed_at IS NULL
        """
    }

    /// What falls due needs no one to do anything: the reminder pass writes it, once per item and
    /// occasion (`due_key`), as of `day`. A task past its due date, for its assignee; a scheduled
    /// goal without a check-in for the organisation's interval, for its owner and its
    /// procurement's lead and members.
    static func fallenDue(asOf day: CalendarDate) -> [SQL] {
        [
            """
            INSERT INTO notifications (recipient_id, kind, task_id, goal_id, due_key)
            SELECT t.assignee_id, 'task_overdue', t.id, t.goal_id, 'task:' || t.id || ':' || t.due FROM tasks t
            JOIN users u ON u.id = t.assignee_id AND u.active
            WHERE t.status <> 'done' AND t.due < \(day)
            ON CONFLICT (recipient_id, due_key) WHERE due_key IS NOT NULL DO NOTHING
            """,
            """
            INSERT INTO notifications (recipient_id, kind, goal_id, due_key)
            SELECT DISTINCT r.user_id, 'checkin_due', d.id, 'checkin:' || d.id || ':' || d.since FROM (\(dueCheckIns(asOf: day))) d
            CROSS JOIN LATERAL (
                SELECT d.owner_id AS user_id
                UNION SELECT p.lead_id FROM procurements p WHERE p.id = d.procurement_id
                UNION SELECT m.user_id FROM procurement_members m WHERE m.procurement_id = d.procurement_id
            ) r
            JOIN users u ON u.id = r.user_id AND u.active
            ON CONFLICT (recipient_id, due_key) WHERE due_key IS NOT NULL DO NOTHING
            """,
        ]
    }

    /// Scheduled goals due a check-in on `day`: none in the organisation's interval
    /// (`settings.checkin_due_days`) since the last one, or since the start. `since` is the date
    /// the interval is counted from.
    static func dueCheckIns(asOf day: CalendarDate) -> SQL {
        """
        SELECT g.id, g.title, g.catalogue_name, g.owner_id, g.procurement_id,
               coalesce(c.last, g.start_date::timestamptz, g.updated_at)::date AS since
        FROM goals g CROSS JOIN settings s
        LEFT JOIN LATERAL (SELECT max(created_at) AS last FROM checkins WHERE goal_id = g.id) c ON true
        WHERE g.status = 'scheduled'
          AND coalesce(c.last, g.start_date::timestamptz, g.updated_at)::date <= \(day) - s.checkin_due_days
        """
    }

    enum Kind: String, Sendable, CaseIterable {
        case taskAssigned = "task_assigned"
        case taskOverdue = "task_overdue"
        case checkinDue = "checkin_due"
        case ideaWaiting = "idea_waiting"
        case ideaComment = "idea_comment"
        case ideaSupport = "idea_support"
        case ideaDecision = "idea_decision"
        case goalChanged = "goal_changed"

        /// What falls due, as opposed to what someone did.
        var isDue: Bool { self == .taskOverdue || self == .checkinDue }
    }
}
