import Foundation
import Postgres

/// Every procurement of the organisation by title: the choices of a form that links to one.
enum ProcurementChoices {
    struct Choice: Sendable {
        let id: UUID
        let title: String
    }

    static func read() -> PipelinedRead<[Choice]> {
        PipelinedRead(statements: ["SELECT id, title FROM procurements ORDER BY title"]) { results in
            try results.at(0).map { Choice(id: try $0.decode("id"), title: try $0.decode("title")) }
        }
    }
}
