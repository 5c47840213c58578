import Foundation
import Postgres

/// The funnel as a board: for each column (a group of statuses) how many goals it holds and
/// its first cards, by priority and then the most recently changed. One pipeline.
struct FunnelBoard: Sendable {
    struct Card: Sendable {
        let id: UUID
        let title: GoalTitle
        let level: GoalLevel
        let status: GoalStatus
        let due: CalendarDate?
        let supports: Int
    }

    struct Column: Sendable {
        let key: String
        let statuses: [GoalStatus]
        let count: Int
        let cards: [Card]
    }

    let columns: [Column]

    static let columns: [(key: String, statuses: [GoalStatus])] = [
        ("idea", [.idea]), ("shortlisted", [.shortlisted]), ("scheduled", [.scheduled]),
        ("closed", [.achieved, .partlyAchieved, .notAchieved, .rejected, .dropped]),
    ]

    static func read(perColumn: Int) -> PipelinedRead<FunnelBoard> {
        let cards: [SQL] = columns.map { column in
            """
            SELECT g.id, g.title, g.catalogue_name, g.level, g.status, g.due_date, (SELECT count(*) FROM goal_supports s WHERE s.goal_id = g.id) + g.guest_supports AS supports
            FROM goals g WHERE g.status = ANY(\(column.statuses.map(\.rawValue)))
            ORDER BY g.priority NULLS LAST, g.updated_at DESC LIMIT \(Int32(perColumn))
            """
        }
        return PipelinedRead(statements: ["SELECT status, count(*) AS n FROM goals GROUP BY status"] + cards) { results in
            let counts: [String: Int] = try results.at(0).reduce(into: [:]) {
                $0[try $1.decode("status")] = try $1.decode("n", as: Int.self)
            }
            return FunnelBoard(
                columns: try columns.enumerated().map { index, column in
                    Column(
                        key: column.key, statuses: column.statuses, count: column.statuses.reduce(0) { $0 + (counts[$1.rawValue] ?? 0) },
                        cards: try results.at(index + 1).map { row in
                            Card(
                                id: try row.decode("id"), title: try GoalTitle(row: row),
                                level: GoalLevel(rawValue: try row.decode("level")) ?? .organisation,
                                status: GoalStatus(rawValue: try row.decode("status")) ?? .idea, due: try row.decode("due_date"),
                                supports: try row.decode("supports"))
                        })
                })
        }
    }
}
