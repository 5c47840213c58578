import Foundation
import Postgres

// The goal inputs (GoalInputs.swift) as checked commands: everything that can be checked without
// the database is checked here, before any transaction opens. What needs the organisation's data
// (the procurement, catalogue goals and themes, owners, the goal's own state) is checked by
// `GoalRepository` inside it.

/// `POST …/goals`, checked.
public struct NewGoal: Sendable {
    public let level: GoalLevel
    public let procurementID: UUID?
    /// `nil` when adopting a catalogue goal without a title of one's own: its Finnish name is taken.
    public let title: String?
    public let description: String
    public let priority: Int16?
    public let themeCode: String?
    public let catalogueGoalID: UUID?
    public let alignsTo: [UUID]
    /// `nil`: the organisation's current planning year.
    public let planYear: Int?

    public init(_ input: NewGoalInput) throws {
        guard let level = GoalLevel(rawValue: input.level) else {
            throw LuotsiError.invalid(field: "level", reason: "must be organisation or procurement")
        }
        switch (level, input.procurementId) {
        case (.procurement, nil): throw LuotsiError.invalid(field: "procurementId", reason: "is required for a procurement goal")
        case (.organisation, .some):
            throw LuotsiError.invalid(field: "procurementId", reason: "only procurement goals belong to a procurement")
        case (.procurement, .some), (.organisation, nil): break
        }
        self.level = level
        procurementID = input.procurementId
        title = try input.title.map { try TextRules.title($0) }
        guard title != nil || input.catalogueGoalId != nil else {
            throw LuotsiError.invalid(field: "title", reason: "is required unless adopting a catalogue goal")
        }
        description = try GoalValidation.description(input.description)
        priority = try GoalValidation.priority(input.priority).map(Int16.init)
        themeCode = input.themeCode
        catalogueGoalID = input.catalogueGoalId
        alignsTo = try GoalValidation.alignments(input.alignsTo ?? [])
        planYear = try GoalValidation.planYear(input.planYear)
    }
}

/// `PATCH …/goals/{id}`, checked. `nil` (or `.absent`) leaves a field as it is.
public struct GoalChanges: Sendable {
    public let title: String?
    public let description: String?
    public let priority: Patch<Int>
    public let themeCode: Patch<String>
    public let ownerId: Patch<UUID>
    public let start: Patch<CalendarDate>
    public let due: Patch<CalendarDate>
    /// `[]` when `null` was given: no alignments.
    public let alignsTo: [UUID]?
    public let milestones: [MilestoneInput]?
    public let indicators: [IndicatorInput]?
    /// Another plan year for the goal: a recorded move, with `reason`.
    public let planYear: Int?
    /// Why the owner or the dates of a scheduled goal change: required then, and recorded in the
    /// goal's history as a move from scheduled to scheduled (`GoalRepository.update`).
    public let reason: String?

    /// The changes, checked; what is `.absent` stays as it is. The API's body and the goal page's
    /// forms all come here, so an error names the same field for each.
    init(
        title: String? = nil, description: Patch<String> = .absent, priority: Patch<Int> = .absent, themeCode: Patch<String> = .absent,
        ownerId: Patch<UUID> = .absent, start: Patch<CalendarDate> = .absent, due: Patch<CalendarDate> = .absent,
        alignsTo: Patch<[UUID]> = .absent, milestones: Patch<[MilestoneInput]> = .absent, indicators: Patch<[IndicatorInput]> = .absent,
        reason: String? = nil, planYear: Int? = nil
    ) throws {
        self.planYear = try GoalValidation.planYear(planYear)
        // A blank reason is none: refused where one is needed.
        self.reason = try reason.flatMap {
            try TextRules.limited($0, field: "reason", max: 5000).trimmingCharacters(in: TextRules.blanks).nonEmpty
        }
        self.title = try title.map { try TextRules.title($0) }
        self.description = description.isPresent ? try GoalValidation.description(description.value) : nil
        _ = try GoalValidation.priority(priority.value)
        self.priority = priority
        self.themeCode = themeCode
        self.ownerId = ownerId
        self.start = start
        self.due = due
        self.alignsTo = alignsTo.isPresent ? try GoalValidation.alignments(alignsTo.value ?? []) : nil
        self.milestones = milestones.isPresent ? try GoalValidation.milestones(milestones.value ?? []) : nil
        self.indicators = indicators.isPresent ? try GoalValidation.indicators(indicators.value ?? []) : nil
    }

    public init(_ input: GoalPatchInput) throws {
        if input.title.isPresent, input.title.value == nil { throw LuotsiError.invalid(field: "title", reason: "must not be null") }
        try self.init(
            title: input.title.value, description: input.description, priority: input.priority, themeCode: input.themeCode,
            ownerId: input.ownerId, start: input.start, due: input.due, alignsTo: input.alignsTo, milestones: input.milestones,
            indicators: input.indicators, reason: input.reason, planYear: input.planYear)
    }

    /// Owner, dates, milestones or indicators: an organisation-level goal's schedule is management's.
    var touchesSchedule: Bool {
        ownerId.isPresent || start.isPresent || due.isPresent || milestones != nil || indicators != nil || planYear != nil
    }
}

/// `POST …/goals/{id}/transitions`, checked.
public struct GoalMove: Sendable {
    public let target: GoalStatus
    public let reason: String
    public let ownerId: UUID?
    public let start: CalendarDate?
    public let due: CalendarDate?
    public let milestones: [MilestoneInput]?
    public let indicators: [IndicatorInput]?

    public init(_ input: TransitionInput) throws {
        guard let target = GoalStatus(rawValue: input.to) else {
            throw LuotsiError.invalid(field: "to", reason: "must be one of \(GoalStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.target = target
        reason = try TextRules.required(input.reason, field: "reason", max: 5000)
        if target != .scheduled {
            let given: [(String, Bool)] = [
                ("ownerId", input.ownerId != nil), ("start", input.start != nil), ("due", input.due != nil),
                ("milestones", input.milestones != nil), ("indicators", input.indicators != nil),
            ]
            if let field = given.first(where: \.1)?.0 { throw LuotsiError.invalid(field: field, reason: "is only given when scheduling") }
        }
        ownerId = input.ownerId
        start = input.start
        due = input.due
        milestones = try input.milestones.map(GoalValidation.milestones)
        indicators = try input.indicators.map(GoalValidation.indicators)
    }
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

    static func alignments(_ targets: [UUID]) throws -> [UUID] {
        guard targets.count <= 50 else { throw LuotsiError.invalid(field: "alignsTo", reason: "at most 50 goals") }
        return targets
    }

    static func period(start: CalendarDate?, due: CalendarDate?) throws {
        if let start, let due, due < start { throw LuotsiError.invalid(field: "due", reason: "must not be before start") }
    }

    /// A plan year is a calendar year from 2000 to 2100.
    static func planYear(_ year: Int?, field: String = "planYear") throws -> Int? {
        guard let year else { return nil }
        guard (2000...2100).contains(year) else { throw LuotsiError.invalid(field: field, reason: "must be a year from 2000 to 2100") }
        return year
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
