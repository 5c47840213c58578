import Foundation

/// A linked line of a page's list: where it goes, what it is called, and a short detail.
struct LinkItem: Sendable {
    let href: String
    let title: String
    let detail: String
}

/// The dashboard's "needs attention" lists as links, shared by the lead's next actions and
/// management's overall picture.
struct DashboardLinks: Sendable {
    let overdueGoals: [LinkItem]
    let overdueTasks: [LinkItem]
    let checkinsDue: [LinkItem]

    init(_ dashboard: Dashboard, limit: Int, strings s: Strings, language: Language) {
        overdueGoals = dashboard.overdueGoals.prefix(limit).map {
            LinkItem(
                href: "/goals/\($0.goalId.uuidString)", title: $0.title, detail: "\(s["col_due"]) \(Formatting.date($0.due, language))")
        }
        overdueTasks = dashboard.overdueTasks.prefix(limit).map {
            LinkItem(
                href: "/procurements/\($0.procurementId.uuidString)", title: $0.title,
                detail: "\(s["col_due"]) \(Formatting.date($0.due, language))")
        }
        checkinsDue = dashboard.checkinsDue.prefix(limit).map {
            LinkItem(
                href: "/goals/\($0.goalId.uuidString)", title: $0.title,
                detail: $0.lastCheckinAt.map { "\(s["last_checkin"]) \(Formatting.dateTime($0, language))" } ?? s["no_checkins_yet"])
        }
    }
}
