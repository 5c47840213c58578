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
        let checkinsDueHint: String
        let hasIdeas: Bool
        let hasToSchedule: Bool
        let hasCheckinsDue: Bool
        let hasOverdue: Bool
    }

    func register(on web: WebRouter) {
        web.member(.get, "/next-actions", .siftGoal) { web, member in
            let s = web.strings
            let language = web.language
            let read = Dashboard.read(checkinDueDays: nil).and(GoalQueue.read(.idea, limit: 30)).and(
                GoalQueue.read(.shortlisted, limit: 30))
            let found = try await services.readingOrganisation(member, cached: "next-actions.page") { try await read.read(on: $0) }
            func item(_ entry: GoalQueue.Entry) -> Item {
                Item(
                    href: "/goals/\(entry.id.uuidString)", title: entry.title.text(language),
                    detail: "\(s["level_\(entry.level)"]) · \(Formatting.dateTime(entry.createdAt, language))")
            }
            // Only what this person can schedule: a lead's list leaves out organisation goals (management's).
            let policy = GoalPolicy(member)
            let schedulable = found.second.filter { entry in
                GoalLevel(rawValue: entry.level).map { policy.refusal(moving: .shortlisted, to: .scheduled, level: $0) == nil } ?? false
            }
            let (dashboard, ideas, toSchedule) = (found.first.first, found.first.second.map(item), schedulable.map(item))
            let links = DashboardLinks(dashboard, limit: 30, strings: s, language: language)
            let model = Model(
                ideas: ideas, toSchedule: toSchedule, checkinsDue: links.checkinsDue, overdueTasks: links.overdueTasks,
                overdueGoals: links.overdueGoals,
                checkinsDueHint: s.counted("checkins_due_hint", dashboard.checkinDueDays), hasIdeas: !ideas.isEmpty,
                hasToSchedule: !toSchedule.isEmpty, hasCheckinsDue: !links.checkinsDue.isEmpty,
                hasOverdue: !links.overdueTasks.isEmpty || !links.overdueGoals.isEmpty)
            return pages.response("next-actions", title: s["next_actions_title"], page: model, web: web)
        }
    }
}
