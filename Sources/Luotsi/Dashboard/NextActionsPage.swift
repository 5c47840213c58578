import Foundation
import Hummingbird
import Postgres

/// The lead's home, "Next actions": what needs them — ideas to sift, shortlisted goals to
/// schedule, goals without a check-in for N days, overdue tasks and goals.
struct NextActionsPage {
    let services: AppServices
    let pages: PageRenderer

    typealias Item = LinkItem

    struct Model: Sendable {
        let ideas: [Item]
        let toSchedule: [Item]
        let checkinsDue: [Item]
        let overdueTasks: [Item]
        let overdueGoals: [Item]
        let checkinDueDays: Int
        let hasIdeas: Bool
        let hasToSchedule: Bool
        let hasCheckinsDue: Bool
        let hasOverdue: Bool
    }

    func register(on web: WebRouter) {
        web.member(.get, "/next-actions", .siftGoal) { web, member in
            let s = web.strings
            let language = web.language
            let model = try await services.inOrganisation(member) { connection in
                let dashboard = try await Dashboard.build(checkinDueDays: nil, on: connection)
                func goals(_ status: String) async throws -> [Item] {
                    try await connection.query(
                        """
                        SELECT g.id, g.title, g.level, g.created_at FROM goals g WHERE g.status = \(status)
                        ORDER BY g.priority NULLS LAST, g.created_at LIMIT 30
                        """
                    ).map { row in
                        Item(
                            href: "/goals/\(try row.decode("id", as: UUID.self).uuidString)", title: try row.decode("title"),
                            detail:
                                "\(s["level_\(try row.decode("level", as: String.self))"]) · \(Formatting.dateTime(try row.decode("created_at"), language))"
                        )
                    }
                }
                let ideas = try await goals("idea")
                let toSchedule = try await goals("shortlisted")
                let links = DashboardLinks(dashboard, limit: 30, strings: s, language: language)
                return Model(
                    ideas: ideas, toSchedule: toSchedule, checkinsDue: links.checkinsDue, overdueTasks: links.overdueTasks,
                    overdueGoals: links.overdueGoals, checkinDueDays: dashboard.checkinDueDays, hasIdeas: !ideas.isEmpty,
                    hasToSchedule: !toSchedule.isEmpty, hasCheckinsDue: !links.checkinsDue.isEmpty,
                    hasOverdue: !links.overdueTasks.isEmpty || !links.overdueGoals.isEmpty)
            }
            return pages.response("next-actions", title: s["next_actions_title"], page: model, web: web)
        }
    }
}
