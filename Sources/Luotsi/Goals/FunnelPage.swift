import Foundation
import Hummingbird
import Postgres

/// `/funnel`: the board of ideas, shortlisted, scheduled and closed goals, with sifting inline
/// and links to schedule and close. Each column shows its newest 50, linking to the full list.
struct FunnelPage {
    let services: AppServices
    let pages: PageRenderer
    static let perColumn = 50

    struct Card: Sendable {
        let id: String
        let href: String
        let title: String
        let level: String
        let status: StatusBadge
        let due: String?
        let supportCount: Int
        let sift: Bool
        let schedule: Bool
        let siftOptions: [Option]
    }

    struct Column: Sendable {
        let key: String
        let title: String
        let cards: [Card]
        let count: Int
        let more: Bool
        let allHref: String
    }

    struct Model: Sendable {
        let columns: [Column]
    }

    static let columns: [(key: String, statuses: [GoalStatus])] = [
        ("idea", [.idea]), ("shortlisted", [.shortlisted]), ("scheduled", [.scheduled]),
        ("closed", [.achieved, .partlyAchieved, .notAchieved, .rejected, .dropped]),
    ]

    func register(on web: WebRouter) {
        web.member(.get, "/funnel", .siftGoal) { web, member in
            let s = web.strings
            let role = AccessRole(.member(member))
            let columns = try await services.inOrganisation(member) { connection in
                var columns: [Column] = []
                for column in Self.columns {
                    let statuses = column.statuses.map(\.rawValue)
                    let count: Int = try await connection.query("SELECT count(*) AS n FROM goals WHERE status = ANY(\(statuses))").one()
                        .decode("n")
                    let cards = try await connection.query(
                        """
                        SELECT g.id, g.title, g.level, g.status, g.due_date, (SELECT count(*) FROM goal_supports s WHERE s.goal_id = g.id) AS supports
                        FROM goals g WHERE g.status = ANY(\(statuses))
                        ORDER BY g.priority NULLS LAST, g.updated_at DESC LIMIT \(Self.perColumn)
                        """
                    ).map { row in
                        let id: UUID = try row.decode("id")
                        let status = GoalStatus(rawValue: try row.decode("status")) ?? .idea
                        let level = GoalLevel(rawValue: try row.decode("level")) ?? .organisation
                        return Card(
                            id: id.uuidString, href: "/goals/\(id.uuidString)", title: try row.decode("title"),
                            level: s["level_\(level.rawValue)"],
                            status: StatusBadge(status.rawValue, s),
                            due: Formatting.date(try row.decode("due_date"), web.language).nonEmpty,
                            supportCount: try row.decode("supports"), sift: status == .idea && Permissions.allows(role, .siftGoal),
                            schedule: status == .shortlisted && Permissions.allows(role, .scheduleGoal)
                                && (level == .procurement || Permissions.allows(role, .scheduleOrganisationGoal)),
                            siftOptions: [GoalStatus.shortlisted, .rejected].map {
                                Option(value: $0.rawValue, label: s["move_\($0.rawValue)"], selected: false)
                            })
                    }
                    let only = column.statuses.count == 1 ? column.statuses.first : nil
                    columns.append(
                        Column(
                            key: column.key, title: s["column_\(column.key)"], cards: cards, count: count, more: count > cards.count,
                            allHref: only.map { "/goals?status=\($0.rawValue)" } ?? "/goals"))
                }
                return columns
            }
            return pages.response("funnel", title: s["funnel_title"], page: Model(columns: columns), web: web)
        }
    }
}
