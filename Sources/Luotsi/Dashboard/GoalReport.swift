import Foundation
import Postgres

/// The printable report's goals: every goal past the idea stage and not rejected, with its
/// owner's name, latest attainment, evaluation and the comments of its latest check-ins, by
/// intention and level.
enum GoalReport {
    struct Comment: Sendable {
        let at: Date
        let author: String
        let status: String
        let text: String
    }

    struct Goal: Sendable {
        let title: GoalTitle
        let level: String
        let status: String
        let themeCode: String?
        let ownerName: String?
        let start: CalendarDate?
        let due: CalendarDate?
        let attainment: Int?
        let evaluation: String?
        let comments: [Comment]
    }

    static let limit = 2000
    /// The newest check-in comments shown per goal.
    static let commentsPerGoal = 3

    static func read(year: YearFilter = .all) -> PipelinedRead<[Goal]> {
        let selection: SQL = """
            SELECT g.id FROM goals g WHERE g.status NOT IN ('idea', 'rejected') AND \(year.condition("g.plan_year"))
            ORDER BY g.theme_code NULLS LAST, g.level, g.title LIMIT \(Int32(limit))
            """
        return PipelinedRead(statements: [
            """
            SELECT g.id, g.title, g.catalogue_name, g.level, g.status, g.theme_code, u.name AS owner_name, g.start_date, g.due_date, g.evaluation,
                   (SELECT attainment FROM checkins c WHERE c.goal_id = g.id ORDER BY c.seq DESC LIMIT 1) AS attainment
            FROM goals g LEFT JOIN users u ON u.id = g.owner_id
            WHERE g.id IN (\(selection)) ORDER BY g.theme_code NULLS LAST, g.level, g.title
            """,
            """
            SELECT c.goal_id, c.created_at, c.status, c.comment, u.name AS author FROM (
                SELECT k.*, row_number() OVER (PARTITION BY k.goal_id ORDER BY k.seq DESC) AS n
                FROM checkins k WHERE k.goal_id IN (\(selection)) AND btrim(k.comment) <> ''
            ) c JOIN users u ON u.id = c.author_id
            WHERE c.n <= \(Int32(commentsPerGoal)) ORDER BY c.goal_id, c.seq
            """,
        ]) { results in
            var comments: [UUID: [Comment]] = [:]
            for row in try results.at(1) {
                comments[try row.decode("goal_id"), default: []].append(
                    Comment(
                        at: try row.decode("created_at"), author: try row.decode("author"), status: try row.decode("status"),
                        text: try row.decode("comment")))
            }
            return try results.at(0).map {
                Goal(
                    title: try GoalTitle(row: $0), level: try $0.decode("level"), status: try $0.decode("status"),
                    themeCode: try $0.decode("theme_code"), ownerName: try $0.decode("owner_name"), start: try $0.decode("start_date"),
                    due: try $0.decode("due_date"), attainment: try $0.decode("attainment"), evaluation: try $0.decode("evaluation"),
                    comments: comments[try $0.decode("id")] ?? [])
            }
        }
    }
}
