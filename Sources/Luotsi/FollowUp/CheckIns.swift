import Foundation
import Postgres

/// `POST …/goals/{id}/checkins`.
public struct CheckInInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["status", "attainment", "comment", "indicatorValues"]
    public static let nestedFields: [String: Set<String>] = ["indicatorValues": ["indicatorId", "value"]]
    public struct IndicatorValue: Codable, Sendable {
        public var indicatorId: UUID
        public var value: Decimal
    }

    public var status: String
    public var attainment: Int
    public var comment: String?
    public var indicatorValues: [IndicatorValue]?
}

/// Follow-up of scheduled goals: check-ins with status, attainment, indicator values and the
/// procurement phase at the time.
public struct CheckIns: Sendable {
    public struct CheckIn: Codable, Sendable {
        public struct Value: Codable, Sendable {
            public let indicatorId: UUID
            public let value: Decimal
        }

        public let id: UUID
        public let goalId: UUID
        public let authorId: UUID
        /// The author's name, so that a list shows who without a second read.
        public let authorName: String
        public let status: String
        public let attainment: Int
        public let comment: String
        public let phase: String?
        public let indicatorValues: [Value]
        public let createdAt: Date
    }

    public static let statuses = ["on_track", "at_risk", "off_track"]

    public init() {}

    public func list(goalID: UUID, page: PageRequest, on connection: TenantConnection) async throws -> Page<CheckIn> {
        guard try await connection.query("SELECT 1 FROM goals WHERE id = \(goalID)").single() != nil else {
            throw LuotsiError.notFound("goal")
        }
        let rows = try await connection.query(
            """
            SELECT c.*, coalesce(u.name, '') AS author_name FROM checkins c LEFT JOIN users u ON u.id = c.author_id
            WHERE c.goal_id = \(goalID) AND c.seq > \(page.after) ORDER BY c.seq LIMIT \(page.limit + 1)
            """)
        let ids: [UUID] = try rows.map { try $0.decode("id") }
        let values = try await self.values(for: ids, on: connection)
        return page.page(try rows.map { (try $0.decode("seq", as: Int64.self), try Self.checkIn(from: $0, values: values)) })
    }

    /// Records a check-in. Staff may follow up only procurement goals of procurements they are
    /// members (or the lead) of; only scheduled goals are followed up.
    public func record(_ input: CheckInInput, goalID: UUID, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> CheckIn
    {
        guard Self.statuses.contains(input.status) else {
            throw LuotsiError.invalid(field: "status", reason: "must be on_track, at_risk or off_track")
        }
        guard (0...100).contains(input.attainment) else { throw LuotsiError.invalid(field: "attainment", reason: "must be 0–100") }
        let comment = input.comment ?? ""
        _ = try TextRules.limited(comment, field: "comment", max: 5000)
        // The goal (locked, so check-ins on it are recorded one at a time) and its indicators in
        // one round trip; then the check-in, its values and its audit row in one statement.
        let checked = try await connection.pipeline([
            """
            SELECT g.status, g.level, g.procurement_id, p.phase,
                   (g.owner_id = \(actor.id) OR p.lead_id = \(actor.id)
                    OR EXISTS (SELECT 1 FROM procurement_members m WHERE m.procurement_id = p.id AND m.user_id = \(actor.id))) AS member
            FROM goals g LEFT JOIN procurements p ON p.id = g.procurement_id WHERE g.id = \(goalID) FOR UPDATE OF g
            """,
            "SELECT id FROM goal_indicators WHERE goal_id = \(goalID) AND retired_at IS NULL",
        ])
        let (goalRows, indicatorRows) = (checked[0], checked[1])  // one result per statement: no input reaches a trap
        guard let goal = try goalRows.single() else { throw LuotsiError.notFound("goal") }
        let status = GoalStatus(rawValue: try goal.decode("status")) ?? .idea
        if let refusal = GoalPolicy(actor).checkInRefusal(status: status, inProcurement: try goal.decode("member", as: Bool?.self) == true)
        {
            throw refusal
        }
        let indicatorIDs = Set(try indicatorRows.map { try $0.decode("id", as: UUID.self) })
        var seen = Set<UUID>()
        let values = input.indicatorValues ?? []
        for (index, value) in values.enumerated() {
            guard indicatorIDs.contains(value.indicatorId), seen.insert(value.indicatorId).inserted else {
                throw LuotsiError.invalid(
                    field: "indicatorValues[\(index)].indicatorId", reason: "not a current indicator of this goal, or given twice")
            }
        }
        let phase: String? = try goal.decode("phase")
        let id = UUID()
        let audit = try AuditLog.insert(
            "goal.checkin", entity: "goal", id: goalID, by: actor, after: ["status": input.status, "attainment": "\(input.attainment)"])
        let written = try await connection.pipeline([
            """
            WITH checkin AS (
                INSERT INTO checkins (id, goal_id, author_id, status, attainment, comment, phase)
                VALUES (\(id), \(goalID), \(actor.id), \(input.status), \(Int16(input.attainment)), \(comment), \(phase)) RETURNING *),
            indicator_values AS (
                INSERT INTO checkin_indicator_values (checkin_id, indicator_id, value)
                SELECT checkin.id, v.indicator_id, v.value
                FROM checkin, unnest(\(values.map(\.indicatorId))::uuid[], \(values.map(\.value))::numeric[]) AS v(indicator_id, value)),
            audit AS (\(audit))
            SELECT *, \(actor.name) AS author_name FROM checkin
            """,
            Self.valuesQuery(for: [id]),
            Notifier.goalChangedStatement(goalID, by: actor),
        ])
        let (checkInRows, valueRows) = (written[0], written[1])  // one result per statement: no input reaches a trap
        return try Self.checkIn(from: checkInRows.one(), values: try Self.values(from: valueRows))
    }

    /// A goal's first `limit` check-ins, oldest first, with their indicator values: for a page
    /// that reads them with the goal in one pipeline.
    static func read(goal: UUID, limit: Int) -> PipelinedRead<[CheckIn]> {
        let checkIns: SQL = "SELECT id FROM checkins WHERE goal_id = \(goal) ORDER BY seq LIMIT \(Int32(limit))"
        return PipelinedRead(statements: [
            """
            SELECT c.*, coalesce(u.name, '') AS author_name FROM checkins c LEFT JOIN users u ON u.id = c.author_id
            WHERE c.id IN (\(checkIns)) ORDER BY c.seq
            """,
            """
            SELECT v.checkin_id, v.indicator_id, v.value FROM checkin_indicator_values v JOIN goal_indicators i ON i.id = v.indicator_id
            WHERE v.checkin_id IN (\(checkIns)) ORDER BY i.position
            """,
        ]) { results in
            let values = try Self.values(from: try results.at(1))
            return try results.at(0).map { try Self.checkIn(from: $0, values: values) }
        }
    }

    private func values(for ids: [UUID], on connection: TenantConnection) async throws -> [UUID: [CheckIn.Value]] {
        guard !ids.isEmpty else { return [:] }
        return try Self.values(from: try await connection.query(Self.valuesQuery(for: ids)))
    }

    private static func valuesQuery(for ids: [UUID]) -> SQL {
        """
        SELECT v.checkin_id, v.indicator_id, v.value FROM checkin_indicator_values v JOIN goal_indicators i ON i.id = v.indicator_id
        WHERE v.checkin_id = ANY(\(ids)) ORDER BY i.position
        """
    }

    private static func values(from rows: PostgresRows) throws -> [UUID: [CheckIn.Value]] {
        var values: [UUID: [CheckIn.Value]] = [:]
        for row in rows {
            values[try row.decode("checkin_id"), default: []].append(
                .init(indicatorId: try row.decode("indicator_id"), value: try row.decode("value")))
        }
        return values
    }

    static func checkIn(from row: PostgresRow, values: [UUID: [CheckIn.Value]]) throws -> CheckIn {
        let id: UUID = try row.decode("id")
        return CheckIn(
            id: id, goalId: try row.decode("goal_id"), authorId: try row.decode("author_id"), authorName: try row.decode("author_name"),
            status: try row.decode("status"),
            attainment: try row.decode("attainment"), comment: try row.decode("comment"), phase: try row.decode("phase"),
            indicatorValues: values[id] ?? [], createdAt: try row.decode("created_at"))
    }
}
