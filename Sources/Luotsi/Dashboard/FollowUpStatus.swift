import Foundation
import Postgres

/// Where the scheduled goals stand by their latest check-in, and how many ideas wait for a
/// decision: the overall picture's headline and its "needs a decision" list.
struct FollowUpStatus: Sendable {
    struct Goal: Sendable {
        let id: UUID
        let title: String
        /// The latest check-in's status; nil before the first.
        let status: String?
    }

    let scheduled: [Goal]
    let ideasWaiting: Int
    /// Shortlisted organisation-level goals: only management schedules them.
    let organisationGoalsToSchedule: Int

    /// `year` limits the scheduled goals to those planned for it; ideas and shortlisted goals wait
    /// for a decision whatever their year, so they are always counted.
    static func read(year: YearFilter = .all) -> PipelinedRead<FollowUpStatus> {
        PipelinedRead(statements: [
            """
            SELECT g.id, g.title, c.status FROM goals g
            LEFT JOIN LATERAL (SELECT status FROM checkins WHERE goal_id = g.id ORDER BY seq DESC LIMIT 1) c ON true
            WHERE g.status = 'scheduled' AND \(year.condition("g.plan_year")) ORDER BY g.title
            """,
            "SELECT count(*) AS n FROM goals WHERE status = 'idea'",
            "SELECT count(*) AS n FROM goals WHERE status = 'shortlisted' AND level = 'organisation'",
        ]) { results in
            FollowUpStatus(
                scheduled: try results.at(0).map {
                    Goal(id: try $0.decode("id"), title: try $0.decode("title"), status: try $0.decode("status"))
                },
                ideasWaiting: try results.at(1).one().decode("n"), organisationGoalsToSchedule: try results.at(2).one().decode("n"))
        }
    }
}
