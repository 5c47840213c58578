import Foundation
import Postgres

/// `POST …/goals`.
public struct NewGoalInput: JSONInput, Sendable {
    public static let fields: Set<String> = [
        "title", "description", "level", "procurementId", "catalogueGoalId", "alignsTo", "priority", "themeCode",
    ]
    public var title: String?
    public var description: String?
    public var level: String
    public var procurementId: UUID?
    public var catalogueGoalId: UUID?
    public var alignsTo: [UUID]?
    public var priority: Int?
    public var themeCode: String?
}

/// `PATCH …/goals/{id}`: every field optional; `null` clears where that makes sense.
public struct GoalPatchInput: JSONInput, Sendable {
    public static let fields: Set<String> = [
        "title", "description", "priority", "alignsTo", "ownerId", "start", "due", "milestones", "indicators", "themeCode",
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
public struct CommentInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["text"]
    public var text: String
}

/// Field checks shared by the goal inputs.
enum GoalValidation {
    static func description(_ text: String?) throws -> String {
        try TextRules.limited(text ?? "", field: "description", max: 10_000)
    }

    static func priority(_ value: Int?) throws -> Int? {
        if let value, !(1...3).contains(value) { throw LuotsiError.invalid(field: "priority", reason: "must be 1, 2 or 3") }
        return value
    }

    static func period(start: CalendarDate?, due: CalendarDate?) throws {
        if let start, let due, due < start { throw LuotsiError.invalid(field: "due", reason: "must not be before start") }
    }

    static func milestones(_ items: [MilestoneInput]) throws -> [MilestoneInput] {
        guard items.count <= 50 else { throw LuotsiError.invalid(field: "milestones", reason: "at most 50") }
        return try items.enumerated().map { index, item in
            var item = item
            item.title = try TextRules.title(item.title, field: "milestones[\(index)].title")
            return item
        }
    }

    static func indicators(_ items: [IndicatorInput]) throws -> [IndicatorInput] {
        guard items.count <= 20 else { throw LuotsiError.invalid(field: "indicators", reason: "at most 20") }
        return try items.enumerated().map { index, item in
            var item = item
            item.name = try TextRules.title(item.name, field: "indicators[\(index)].name")
            guard ["increase", "decrease"].contains(item.direction) else {
                throw LuotsiError.invalid(field: "indicators[\(index)].direction", reason: "must be increase or decrease")
            }
            guard (item.unit ?? "").unicodeScalars.count <= 40 else {
                throw LuotsiError.invalid(field: "indicators[\(index)].unit", reason: "at most 40 characters")
            }
            if let baseline = item.baseline, baseline == item.target {
                throw LuotsiError.invalid(field: "indicators[\(index)].target", reason: "must differ from the baseline")
            }
            return item
        }
    }
}
