import Foundation
import Postgres

/// The printable report's goals: every goal past the idea stage and not rejected, with its
/// owner's name and latest attainment, by theme and level.
enum GoalReport {
    struct Goal: Sendable {
        let title: String
        let level: String
        let status: String
        let themeCode: String?
        let ownerName: String?
        let start: CalendarDate?
        let due: CalendarDate?
        let attainment: Int?
    }

    static let limit = 2000

    static func read() -> PipelinedRead<[Goal]> {
        PipelinedRead(statements: [
            """
            SELECT g.title, g.level, g.status, g.theme_code, u.name AS owner_name, g.start_date, g.due_date,
                   (SELECT attainment FROM checkins c WHERE c.goal_id = g.id ORDER BY c.seq DESC LIMIT 1) AS attainment
            FROM goals g LEFT JOIN users u ON u.id = g.owner_id
            WHERE g.status NOT IN ('idea', 'rejected') ORDER BY g.theme_code NULLS LAST, g.level, g.title LIMIT \(Int32(limit))
            """
        ]) { results in
            try results.at(0).map {
                Goal(
                    title: try $0.decode("title"), level: try $0.decode("level"), status: try $0.decode("status"),
                    themeCode: try $0.decode("theme_code"), ownerName: try $0.decode("owner_name"), start: try $0.decode("start_date"),
                    due: try $0.decode("due_date"), attainment: try $0.decode("attainment"))
            }
        }
    }
}
