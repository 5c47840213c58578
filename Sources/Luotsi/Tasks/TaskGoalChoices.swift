import Foundation
import Postgres

/// The goals a task of a procurement may serve: the procurement's own goals and the
/// organisation's shortlisted and scheduled ones, by title.
enum TaskGoalChoices {
    struct Choice: Sendable {
        let id: UUID
        let title: String
    }

    static func read(procurement: UUID) -> PipelinedRead<[Choice]> {
        read(procurementSQL: "\(procurement)::uuid")
    }

    /// The choices for an existing task: its procurement's (and its own goal, whatever its status).
    static func read(forTask task: UUID) -> PipelinedRead<[Choice]> {
        read(
            procurementSQL: "(SELECT procurement_id FROM tasks WHERE id = \(task))",
            keeping: "(SELECT goal_id FROM tasks WHERE id = \(task))")
    }

    private static func read(procurementSQL procurement: SQL, keeping current: SQL = "NULL::uuid") -> PipelinedRead<[Choice]> {
        PipelinedRead(statements: [
            """
            SELECT id, title FROM goals
            WHERE procurement_id = \(procurement) OR level = 'organisation' AND status IN ('shortlisted', 'scheduled') OR id = \(current)
            ORDER BY level DESC, title
            """
        ]) { results in
            try results.at(0).map { Choice(id: try $0.decode("id"), title: try $0.decode("title")) }
        }
    }
}
