import Foundation
import Postgres

/// Procurements of the current organisation (inside its transaction).
public struct ProcurementRepository: Sendable {
    public init() {}

    /// What a procurement list depends on besides the organisation's data, for the read-model cache.
    static func listKey(phase: ProcurementPhase?, page: PageRequest) -> String {
        "procurements.list|\(phase?.rawValue ?? "")|\(page.after)|\(page.limit)"
    }

    public func list(phase: ProcurementPhase?, page: PageRequest, on connection: TenantConnection) async throws -> Page<ProcurementView> {
        let selection: SQL = """
            SELECT id, seq FROM procurements
            WHERE seq > \(page.after) AND (\(phase?.rawValue)::text IS NULL OR phase = \(phase?.rawValue))
            ORDER BY seq LIMIT \(page.limit + 1)
            """
        // The page and its views in one round trip: the views select by the same query.
        let results = try await connection.pipeline([selection] + Self.viewStatements(idSet: "SELECT id FROM (\(selection)) page"))
        let selected = results[0]  // one result per statement: no input reaches a trap
        let ids: [(Int64, UUID)] = try selected.map { (try $0.decode("seq"), try $0.decode("id")) }
        let views = try Self.assemble(results[1...])
        return page.page(ids.compactMap { seq, id in views[id].map { (seq, $0) } })
    }

    public func get(_ id: UUID, on connection: TenantConnection) async throws -> ProcurementView {
        guard let view = try await load([id], on: connection)[id] else { throw LuotsiError.notFound("procurement") }
        return view
    }

    public func create(_ input: NewProcurementInput, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> ProcurementView
    {
        let title = try TextRules.title(input.title)
        let phase = try input.phase.map { try ProcurementPhase.parse($0) } ?? .needsAssessment
        try validate(reference: input.reference, category: input.category, value: input.estimatedValue)
        if let lead = input.leadId { try await UserRepository.requireActive(lead, field: "leadId", on: connection) }
        try input.impact?.validate()
        let id: UUID = try await connection.query(
            """
            INSERT INTO procurements (title, reference, category, estimated_value, phase, lead_id, created_by)
            VALUES (\(title), \(input.reference), \(input.category), \(input.estimatedValue), \(phase.rawValue), \(input.leadId ?? actor.id), \(actor.id))
            RETURNING id
            """
        ).one().decode("id")
        try await connection.query(
            "INSERT INTO procurement_phase_changes (procurement_id, from_phase, to_phase, actor_id) VALUES (\(id), NULL, \(phase.rawValue), \(actor.id))"
        )
        try await setMembers(id, input.memberIds ?? [], on: connection)
        if let impact = input.impact { try await setImpact(id, impact, on: connection) }
        let view = try await get(id, on: connection)
        try await AuditLog.record(
            "procurement.create", entity: "procurement", id: id, by: actor, after: ProcurementSummary(view), on: connection)
        return view
    }

    public func update(
        _ id: UUID, expectedVersion: Int?, with changes: ProcurementChanges, by actor: Identity.Member, on connection: TenantConnection
    )
        async throws -> ProcurementView
    {
        guard let row = try await connection.query("SELECT version, phase FROM procurements WHERE id = \(id) FOR UPDATE").single() else {
            throw LuotsiError.notFound("procurement")
        }
        if let expectedVersion, try row.decode("version", as: Int.self) != expectedVersion { throw LuotsiError.preconditionFailed }
        let before = try await get(id, on: connection)
        var assignments: [SQL] = ["version = version + 1", "updated_at = now()"]
        if let title = changes.title { assignments.append("title = \(title)") }
        if changes.reference.isPresent { assignments.append("reference = \(changes.reference.value)") }
        if changes.category.isPresent { assignments.append("category = \(changes.category.value)") }
        if changes.estimatedValue.isPresent { assignments.append("estimated_value = \(changes.estimatedValue.value)") }
        if changes.leadID.isPresent {
            if let lead = changes.leadID.value { try await UserRepository.requireActive(lead, field: "leadId", on: connection) }
            assignments.append("lead_id = \(changes.leadID.value)")
        }
        if let phase = changes.phase {
            if phase.rawValue != before.phase {
                assignments.append("phase = \(phase.rawValue)")
                try await connection.query(
                    "INSERT INTO procurement_phase_changes (procurement_id, from_phase, to_phase, actor_id) VALUES (\(id), \(before.phase), \(phase.rawValue), \(actor.id))"
                )
            }
        }
        if let impact = changes.impact { try await setImpact(id, impact, on: connection) }
        if let members = changes.memberIDs { try await setMembers(id, members, on: connection) }
        try await connection.query("UPDATE procurements SET \(SQL.joined(assignments, separator: ", ")) WHERE id = \(id)")
        let after = try await get(id, on: connection)
        try await AuditLog.record(
            "procurement.update", entity: "procurement", id: id, by: actor, before: ProcurementSummary(before),
            after: ProcurementSummary(after),
            on: connection)
        return after
    }

    private func validate(reference: String?, category: String?, value: Decimal?) throws {
        if let reference { _ = try TextRules.limited(reference, field: "reference", max: 100) }
        if let category { _ = try TextRules.limited(category, field: "category", max: 100) }
        if let value, value < 0 || value > 99_999_999_999_999 {
            throw LuotsiError.invalid(field: "estimatedValue", reason: "must be 0 or more euros (below 10^14)")
        }
    }

    private func setMembers(_ id: UUID, _ members: [UUID], on connection: TenantConnection) async throws {
        guard members.count <= 200 else { throw LuotsiError.invalid(field: "memberIds", reason: "at most 200 members") }
        try await connection.query("DELETE FROM procurement_members WHERE procurement_id = \(id)")
        for (index, member) in Set(members).enumerated() {
            try await UserRepository.requireActive(member, field: "memberIds[\(index)]", on: connection)
            try await connection.query("INSERT INTO procurement_members (procurement_id, user_id) VALUES (\(id), \(member))")
        }
    }

    private func setImpact(_ id: UUID, _ impact: ImpactInput, on connection: TenantConnection) async throws {
        for theme in ImpactInput.themes {
            let target = impact.target?[theme]
            let achieved = impact.achieved?[theme]
            guard target != nil || achieved != nil else { continue }
            try await connection.query(
                """
                INSERT INTO procurement_impacts (procurement_id, theme, target_score, achieved_score)
                VALUES (\(id), \(theme), \(target.map(Int16.init)), \(achieved.map(Int16.init)))
                ON CONFLICT (procurement_id, theme) DO UPDATE SET
                    target_score = coalesce(\(target.map(Int16.init)), procurement_impacts.target_score),
                    achieved_score = coalesce(\(achieved.map(Int16.init)), procurement_impacts.achieved_score)
                """)
        }
    }

    func load(_ ids: [UUID], on connection: TenantConnection) async throws -> [UUID: ProcurementView] {
        guard !ids.isEmpty else { return [:] }
        return try Self.assemble(try await connection.pipeline(Self.viewStatements(idSet: "SELECT unnest(\(ids)::uuid[])"))[...])
    }

    /// The views of the procurements `idSet` (a query of ids) selects, as a read to pipeline with others.
    static func read(idSet: SQL) -> PipelinedRead<[UUID: ProcurementView]> {
        PipelinedRead(statements: viewStatements(idSet: idSet)) { try assemble($0.all) }
    }

    /// The view of one procurement (nil when there is none), as a read to pipeline with others.
    static func read(_ id: UUID) -> PipelinedRead<ProcurementView?> {
        read(idSet: "SELECT \(id)::uuid").map { $0[id] }
    }

    /// The view of the procurement a goal belongs to (nil for an organisation-level goal).
    static func read(procurementOfGoal goal: UUID) -> PipelinedRead<ProcurementView?> {
        read(idSet: "SELECT procurement_id FROM goals WHERE id = \(goal)").map { $0.values.first }
    }

    /// The statements that read the views of the procurements `idSet` (a subquery of ids)
    /// selects; independent of each other, so they share one round trip.
    static func viewStatements(idSet: SQL) -> [SQL] {
        [
            "SELECT p.*, (SELECT u.name FROM users u WHERE u.id = p.lead_id) AS lead_name FROM procurements p WHERE p.id IN (\(idSet))",
            "SELECT procurement_id, user_id FROM procurement_members WHERE procurement_id IN (\(idSet)) ORDER BY user_id",
            "SELECT * FROM procurement_impacts WHERE procurement_id IN (\(idSet))",
            "SELECT * FROM procurement_phase_changes WHERE procurement_id IN (\(idSet)) ORDER BY at, to_phase",
            "SELECT id, title, status, procurement_id FROM goals WHERE procurement_id IN (\(idSet)) ORDER BY seq",
        ]
    }

    /// Builds the views from the results of `viewStatements`, in their order.
    static func assemble(_ results: ArraySlice<PostgresRows>) throws -> [UUID: ProcurementView] {
        let base = results.startIndex
        let rows = results[base]
        var members: [UUID: [UUID]] = [:]
        for row in results[base + 1] {
            members[try row.decode("procurement_id"), default: []].append(try row.decode("user_id"))
        }
        var impacts: [UUID: [ProcurementView.Impact]] = [:]
        for row in results[base + 2] {
            let target: Int? = try row.decode("target_score")
            let achieved: Int? = try row.decode("achieved_score")
            let difference: Int? = if let target, let achieved { achieved - target } else { nil }
            impacts[try row.decode("procurement_id"), default: []].append(
                .init(theme: try row.decode("theme"), target: target, achieved: achieved, difference: difference))
        }
        var history: [UUID: [ProcurementView.PhaseChange]] = [:]
        for row in results[base + 3] {
            history[try row.decode("procurement_id"), default: []].append(
                .init(
                    from: try row.decode("from_phase"), to: try row.decode("to_phase"), actorId: try row.decode("actor_id"),
                    at: try row.decode("at")))
        }
        var goals: [UUID: [ProcurementView.GoalRef]] = [:]
        for row in results[base + 4] {
            goals[try row.decode("procurement_id"), default: []].append(
                .init(id: try row.decode("id"), title: try row.decode("title"), status: try row.decode("status")))
        }
        var views: [UUID: ProcurementView] = [:]
        for row in rows {
            let id: UUID = try row.decode("id")
            let order = ImpactInput.themes
            views[id] = ProcurementView(
                id: id, title: try row.decode("title"), reference: try row.decode("reference"), category: try row.decode("category"),
                estimatedValue: try row.decode("estimated_value"), phase: try row.decode("phase"), leadId: try row.decode("lead_id"),
                leadName: try row.decode("lead_name"), memberIds: members[id] ?? [],
                impact: (impacts[id] ?? []).sorted { (order.firstIndex(of: $0.theme) ?? 9) < (order.firstIndex(of: $1.theme) ?? 9) },
                phaseHistory: history[id] ?? [], goals: goals[id] ?? [], createdBy: try row.decode("created_by"),
                createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"), version: try row.decode("version"))
        }
        return views
    }
}

struct ProcurementSummary: Encodable, Sendable {
    let title: String
    let phase: String
    let leadId: UUID?
    let memberCount: Int
    let version: Int

    init(_ view: ProcurementView) {
        title = view.title
        phase = view.phase
        leadId = view.leadId
        memberCount = view.memberIds.count
        version = view.version
    }
}
