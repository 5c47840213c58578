import Foundation

/// Life-cycle phases of a procurement (Finnish practice), in order.
public enum ProcurementPhase: String, Sendable, Codable, CaseIterable {
    case needsAssessment = "needs_assessment"
    case marketEngagement = "market_engagement"
    case tenderPreparation = "tender_preparation"
    case tenderingAward = "tendering_award"
    case contractManagement = "contract_management"
    case closureEvaluation = "closure_evaluation"

    public static func parse(_ text: String, field: String = "phase") throws -> ProcurementPhase {
        guard let phase = ProcurementPhase(rawValue: text) else {
            throw LuotsiError.invalid(field: field, reason: "must be one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return phase
    }
}
