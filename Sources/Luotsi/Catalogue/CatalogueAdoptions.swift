import Foundation
import Postgres

/// What the organisation adopted from the national catalogue: for each national goal, its
/// first adoption and whether a newer published version changed the goal's wording.
enum CatalogueAdoptions {
    struct Adoption: Sendable {
        let code: String
        let goalID: UUID
        let changedInLatest: Bool
    }

    static func read(platform: SchemaName) -> PipelinedRead<[Adoption]> {
        GoalViews(platform: platform).read(
            idSet:
                "SELECT DISTINCT ON (catalogue_goal_id) id FROM goals WHERE catalogue_goal_id IS NOT NULL ORDER BY catalogue_goal_id, created_at"
        ).map { read in
            read.views.values.compactMap { goal in
                goal.catalogueGoal.map { Adoption(code: $0.code, goalID: goal.id, changedInLatest: $0.changedInLatest) }
            }
        }
    }
}
