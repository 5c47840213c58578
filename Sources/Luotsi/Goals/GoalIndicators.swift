import Foundation
import Postgres

/// `PATCH …/goals/{id}/indicators/{indicatorId}`: every field optional; `retired` retires the
/// indicator (its recorded values stay) or brings it back.
public struct IndicatorPatchInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["name", "unit", "baseline", "target", "direction", "retired"]
    public var name: String?
    public var unit: String?
    public var baseline: Patch<Decimal>
    public var target: Decimal?
    public var direction: String?
    public var retired: Bool?
}

/// `POST …/goals/{id}/indicators`: one new indicator, as in a goal's `indicators` list.
public struct NewIndicatorInput: JSONInput, Sendable {
    public static let fields = IndicatorInput.fields
    public var name: String
    public var unit: String?
    public var baseline: Decimal?
    public var target: Decimal
    public var direction: String
    public var catalogueIndicatorId: UUID?

    var indicator: IndicatorInput {
        IndicatorInput(
            name: name, unit: unit, baseline: baseline, target: target, direction: direction, catalogueIndicatorId: catalogueIndicatorId)
    }
}

/// One indicator's changes, checked before any transaction opens; the page's form and the API
/// come here alike.
public struct IndicatorChanges: Sendable {
    let name: String?
    let unit: String?
    let baseline: Patch<Decimal>
    let target: Decimal?
    let direction: String?
    let retired: Bool?

    init(
        name: String? = nil, unit: String? = nil, baseline: Patch<Decimal> = .absent, target: Decimal? = nil, direction: String? = nil,
        retired: Bool? = nil
    ) throws {
        self.name = try name.map { try TextRules.title($0, field: "name") }
        self.unit = try unit.map { try TextRules.limited($0.trimmingCharacters(in: TextRules.blanks), field: "unit", max: 40) }
        if let direction, !["increase", "decrease"].contains(direction) {
            throw LuotsiError.invalid(field: "direction", reason: "must be increase or decrease")
        }
        self.baseline = baseline
        self.target = target
        self.direction = direction
        self.retired = retired
    }

    public init(_ input: IndicatorPatchInput) throws {
        try self.init(
            name: input.name, unit: input.unit, baseline: input.baseline, target: input.target, direction: input.direction,
            retired: input.retired)
    }
}

extension GoalRepository {
    /// Adds an indicator to a goal that is not yet over: whoever may set the goal's schedule may.
    public func addIndicator(_ item: IndicatorInput, to id: UUID, by actor: Identity.Member, on connection: TenantConnection)
        async throws -> GoalView
    {
        guard let checked = try GoalValidation.indicators([item]).first else {
            throw LuotsiError.invalid(field: "indicators", reason: "one indicator is required")
        }
        _ = try await lockForIndicatorChange(id, by: actor, on: connection)
        let active =
            try await connection.query(
                "SELECT count(*) AS n FROM goal_indicators WHERE goal_id = \(id) AND retired_at IS NULL"
            ).single()?.decode("n", as: Int.self) ?? 0
        guard active < 20 else { throw LuotsiError.invalid(field: "indicators", reason: "a goal has at most 20 current indicators") }
        try await requirePublishedCatalogueIndicator(checked.catalogueIndicatorId, field: "catalogueIndicatorId", on: connection)
        let indicatorID = try await insertIndicator(checked, into: id, on: connection)
        try await connection.query("UPDATE goals SET version = version + 1, updated_at = now() WHERE id = \(id)")
        try await AuditLog.record(
            "goal.indicator", entity: "goal", id: id, by: actor,
            after: IndicatorState(indicatorId: indicatorID, name: checked.name, target: checked.target, retired: false), on: connection)
        try await Notifier.goalChanged(id, by: actor, on: connection)
        return try await get(id, viewer: actor, on: connection)
    }

    /// Edits one indicator, or retires it (or brings it back). Values already recorded are never
    /// changed: a new target or baseline applies to how attainment is derived from now on.
    public func changeIndicator(
        _ indicatorID: UUID, of id: UUID, _ changes: IndicatorChanges, by actor: Identity.Member, on connection: TenantConnection
    ) async throws -> GoalView {
        _ = try await lockForIndicatorChange(id, by: actor, on: connection)
        guard
            let row = try await connection.query(
                """
                SELECT name, baseline, target, retired_at FROM goal_indicators WHERE id = \(indicatorID) AND goal_id = \(id) FOR UPDATE
                """
            ).single()
        else { throw LuotsiError.notFound("indicator") }
        let wasRetired = try row.decode("retired_at", as: Date?.self) != nil
        let baseline = changes.baseline.isPresent ? changes.baseline.value : try row.decode("baseline", as: Decimal?.self)
        let target = try changes.target ?? row.decode("target", as: Decimal.self)
        if let baseline, baseline == target { throw LuotsiError.invalid(field: "target", reason: "must differ from the baseline") }
        if changes.retired == false, wasRetired {
            let active =
                try await connection.query(
                    "SELECT count(*) AS n FROM goal_indicators WHERE goal_id = \(id) AND retired_at IS NULL"
                ).single()?.decode("n", as: Int.self) ?? 0
            guard active < 20 else { throw LuotsiError.invalid(field: "retired", reason: "a goal has at most 20 current indicators") }
        }
        var assignments: [SQL] = []
        if let name = changes.name { assignments.append("name = \(name)") }
        if let unit = changes.unit { assignments.append("unit = \(unit)") }
        if changes.baseline.isPresent { assignments.append("baseline = \(baseline)") }
        if let target = changes.target { assignments.append("target = \(target)") }
        if let direction = changes.direction { assignments.append("direction = \(direction)") }
        if let retired = changes.retired, retired != wasRetired {
            assignments.append(retired ? "retired_at = now(), retired_by = \(actor.id)" : "retired_at = NULL, retired_by = NULL")
        }
        guard !assignments.isEmpty else { return try await get(id, viewer: actor, on: connection) }
        try await connection.query("UPDATE goal_indicators SET \(SQL.joined(assignments, separator: ", ")) WHERE id = \(indicatorID)")
        try await connection.query("UPDATE goals SET version = version + 1, updated_at = now() WHERE id = \(id)")
        let name = try changes.name ?? row.decode("name", as: String.self)
        try await AuditLog.record(
            "goal.indicator", entity: "goal", id: id, by: actor,
            before: IndicatorState(
                indicatorId: indicatorID, name: try row.decode("name"), target: try row.decode("target"), retired: wasRetired),
            after: IndicatorState(indicatorId: indicatorID, name: name, target: target, retired: changes.retired ?? wasRetired),
            on: connection)
        try await Notifier.goalChanged(id, by: actor, on: connection)
        return try await get(id, viewer: actor, on: connection)
    }

    /// Locks the goal; refuses a goal whose work is over, and a person who may not set its schedule.
    private func lockForIndicatorChange(_ id: UUID, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> LockedGoal
    {
        let goal = try await lockForUpdate(id, expectedVersion: nil, on: connection)
        if let refusal = GoalPolicy(actor).scheduleChangeRefusal(level: goal.level) { throw refusal }
        if goal.status.isFinal { throw LuotsiError.conflict("the goal is \(goal.status.rawValue): its indicators are kept as they were") }
        return goal
    }

    struct IndicatorState: Encodable, Sendable {
        let indicatorId: UUID
        let name: String
        let target: Decimal
        let retired: Bool
    }
}
