import Foundation

/// A notification in words, in the reader's language: for the notifications page and the digest.
enum NotificationText {
    static func sentence(_ item: NotificationItem, _ strings: Strings) -> String {
        let values = [
            "actor": item.actorName ?? strings["notification_someone"],
            "goal": item.goalName?.text(strings.language) ?? "",
            "task": item.taskTitle ?? "",
            "due": Formatting.date(item.taskDue, strings.language),
            "status": item.toStatus.map { statusLabel($0, strings).lowercased() } ?? "",
        ]
        return strings.format(key(for: item), values)
    }

    private static func key(for item: NotificationItem) -> String {
        switch Notifier.Kind(rawValue: item.kind) {
        case .taskAssigned: "notification_task_assigned"
        case .taskOverdue: "notification_task_overdue"
        case .checkinDue: "notification_checkin_due"
        case .ideaWaiting: "notification_idea_waiting"
        case .ideaComment: "notification_idea_comment"
        case .ideaSupport: "notification_idea_support"
        case .ideaDecision: "notification_idea_decision"
        case .goalChanged, nil: item.toStatus == nil ? "notification_goal_changed" : "notification_goal_moved"
        }
    }

    /// A goal status's name (the same words as the funnel's).
    static func statusLabel(_ status: String, _ strings: Strings) -> String {
        switch GoalStatus(rawValue: status) {
        case .idea: strings["status_idea"]
        case .shortlisted: strings["status_shortlisted"]
        case .scheduled: strings["status_scheduled"]
        case .achieved: strings["status_achieved"]
        case .partlyAchieved: strings["status_partly_achieved"]
        case .notAchieved: strings["status_not_achieved"]
        case .rejected: strings["status_rejected"]
        case .dropped: strings["status_dropped"]
        case nil: status
        }
    }
}
