import Foundation

/// `POST …/procurements`.
public struct NewProcurementInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["title", "reference", "category", "estimatedValue", "phase", "leadId", "memberIds", "impact"]
    public static let nestedFields: [String: Set<String>] = ["impact": ["target", "achieved"]]
    public var title: String
    public var reference: String?
    public var category: String?
    public var estimatedValue: Decimal?
    public var phase: String?
    public var leadId: UUID?
    public var memberIds: [UUID]?
    public var impact: ImpactInput?
}

/// `PATCH …/procurements/{id}`.
public struct ProcurementPatchInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["title", "reference", "category", "estimatedValue", "phase", "leadId", "memberIds", "impact"]
    public static let nestedFields: [String: Set<String>] = ["impact": ["target", "achieved"]]
    public var title: Patch<String>
    public var reference: Patch<String>
    public var category: Patch<String>
    public var estimatedValue: Patch<Decimal>
    public var phase: Patch<String>
    public var leadId: Patch<UUID>
    public var memberIds: Patch<[UUID]>
    public var impact: Patch<ImpactInput>
}

/// Hansel's impact assessment: scores 0–2 per theme, set as targets at the start and as
/// achieved at the end. Themes left out keep their scores.
public struct ImpactInput: Codable, Sendable {
    public var target: [String: Int]?
    public var achieved: [String: Int]?

    public static let themes = ["responsibility", "innovation", "cost_savings", "quality", "competence_growth"]

    func validate() throws {
        for (name, scores) in [("target", target), ("achieved", achieved)] {
            for (theme, score) in scores ?? [:] {
                guard Self.themes.contains(theme) else {
                    throw LuotsiError.invalid(field: "impact.\(name).\(theme)", reason: "themes are \(Self.themes.joined(separator: ", "))")
                }
                guard (0...2).contains(score) else {
                    throw LuotsiError.invalid(field: "impact.\(name).\(theme)", reason: "must be 0, 1 or 2")
                }
            }
        }
    }
}

/// A procurement as the API shows it.
public struct ProcurementView: Codable, Sendable {
    public struct Impact: Codable, Sendable {
        public let theme: String
        public let target: Int?
        public let achieved: Int?
        /// achieved − target, when both are set.
        public let difference: Int?
    }

    public struct PhaseChange: Codable, Sendable {
        public let from: String?
        public let to: String
        public let actorId: UUID
        public let at: Date
    }

    public struct GoalRef: Codable, Sendable {
        public let id: UUID
        public let title: String
        public let status: String
    }

    public let id: UUID
    public let title: String
    public let reference: String?
    public let category: String?
    public let estimatedValue: Decimal?
    public let phase: String
    public let leadId: UUID?
    /// The lead's name, so that a list shows who without a second read.
    public let leadName: String?
    public let memberIds: [UUID]
    public let impact: [Impact]
    public let phaseHistory: [PhaseChange]
    public let goals: [GoalRef]
    public let createdBy: UUID
    public let createdAt: Date
    public let updatedAt: Date
    public let version: Int
}
