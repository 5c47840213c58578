import Foundation
import Postgres

/// `POST …/goals`.
public struct NewGoalInput: JSONInput, Sendable {
    public static let fields: Set<String> = [
        "title", "description", "level", "procurementId", "catalogueGoalId", "alignsTo", "priority", "themeCode", "planYear",
    ]
    public var title: String?
    public var description: String?
    public var level: String
    public var procurementId: UUID?
    public var catalogueGoalId: UUID?
    public var alignsTo: [UUID]?
    public var priority: Int?
    public var themeCode: String?
    /// Defaults to the organisation's current planning year.
    public var planYear: Int?
}

/// `PATCH …/goals/{id}`: every field optional; `null` clears where that makes sense.
public struct GoalPatchInput: JSONInput, Sendable {
    public static let fields: Set<String> = [
        "title", "description", "priority", "alignsTo", "ownerId", "start", "due", "milestones", "indicators", "themeCode", "reason",
        "planYear",
    ]
    public static let nestedFields = ["milestones": MilestoneInput.fields, "indicators": IndicatorInput.fields]
    public var title: Patch<String>
    public var description: Patch<String>
    public var priority: Patch<Int>
    public var alignsTo: Patch<[UUID]>
    public var ownerId: Patch<UUID>
    public var start: Patch<CalendarDate>
    public var due: Patch<CalendarDate>
    public var milestones: Patch<[MilestoneInput]>
    public var indicators: Patch<[IndicatorInput]>
    public var themeCode: Patch<String>
    /// Why a scheduled goal's owner or dates change, or a goal moves to another plan year
    /// (required then, and kept in its history).
    public var reason: String?
    public var planYear: Int?
}

public struct MilestoneInput: Codable, Sendable {
    static let fields: Set<String> = ["title", "due", "done"]
    public var title: String
    public var due: CalendarDate
    public var done: Bool?
}

public struct IndicatorInput: Codable, Sendable {
    static let fields: Set<String> = ["name", "unit", "baseline", "target", "direction", "catalogueIndicatorId"]
    public var name: String
    public var unit: String?
    public var baseline: Decimal?
    public var target: Decimal
    public var direction: String
    public var catalogueIndicatorId: UUID?
}

/// `POST …/goals/{id}/transitions`.
public struct TransitionInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["to", "reason", "ownerId", "start", "due", "milestones", "indicators"]
    public static let nestedFields = ["milestones": MilestoneInput.fields, "indicators": IndicatorInput.fields]
    public var to: String
    public var reason: String
    public var ownerId: UUID?
    public var start: CalendarDate?
    public var due: CalendarDate?
    public var milestones: [MilestoneInput]?
    public var indicators: [IndicatorInput]?
}

/// `POST …/goals/{id}/comments`.
/// `PATCH …/goals/{id}/milestones/{milestoneId}`.
public struct MilestonePatchInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["done"]
    public var done: Bool
}

public struct CommentInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["text"]
    public var text: String
}
