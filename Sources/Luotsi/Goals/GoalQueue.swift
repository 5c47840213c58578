import Foundation
import Postgres

/// The goals waiting in one funnel state, by priority and then oldest first: what a lead works
/// through on "Next actions".
enum GoalQueue {
    struct Entry: Sendable {
        let id: UUID
        let title: GoalTitle
        let level: String
        let createdAt: Date
    }

    static func read(_ status: GoalStatus, limit: Int) -> PipelinedRead<[Entry]> {
        PipelinedRead(statements: [
            """
            SELECT g.id, g.title, g.catalogue_name, g.level, g.created_at FROM goals g WHERE g.status = \(status.rawValue)
            ORDER BY g.priority NULLS LAST, g.created_at LIMIT \(Int32(limit))
            """
        ]) { results in
            try results.at(0).map {
                Entry(
                    id: try $0.decode("id"), title: try GoalTitle(row: $0), level: try $0.decode("level"),
                    createdAt: try $0.decode("created_at"))
            }
        }
    }
}
