import Foundation
import Postgres

/// What the organisation adopted from the national catalogue: each goal adopted from a national
/// goal, where (the whole organisation or one procurement), where it now stands, and whether a
/// newer published version words the national goal differently.
enum CatalogueAdoptions {
    struct Adoption: Sendable {
        let code: String
        let goalID: UUID
        let status: GoalStatus
        let procurementTitle: String?
        let changedInLatest: Bool

        /// Still in play: a rejected, dropped or closed adoption can be adopted again.
        var isActive: Bool { !status.isFinal }
    }

    /// The adoptions, and the procurements a goal can still be adopted for: one round trip.
    static func read(platform: SchemaName) -> PipelinedRead<(adoptions: [Adoption], procurements: [ProcurementChoices.Choice])> {
        GoalViews(platform: platform).read(idSet: "SELECT id FROM goals WHERE catalogue_goal_id IS NOT NULL")
            .and(ProcurementChoices.read())
            .map { found in
                let procurements = Dictionary(found.second.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
                let adoptions = found.first.views.values.sorted { $0.createdAt < $1.createdAt }.compactMap { goal in
                    goal.catalogueGoal.map {
                        Adoption(
                            code: $0.code, goalID: goal.id, status: goal.status,
                            procurementTitle: goal.procurementId.flatMap { procurements[$0] },
                            changedInLatest: $0.changedInLatest)
                    }
                }
                return (adoptions, found.second)
            }
    }
}
