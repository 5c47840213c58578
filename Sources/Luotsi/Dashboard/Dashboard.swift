import Foundation
import Postgres

/// The organisation's overall picture (`GET …/dashboard`).
public struct Dashboard: Codable, Sendable {
    public struct Count: Codable, Sendable {
        public let key: String
        public let status: String
        public let count: Int
    }

    public struct AttainmentPoint: Codable, Sendable {
        /// `YYYY-MM`.
        public let month: String
        public let averageAttainment: Double
        public let checkins: Int
    }

    public struct ScheduleItem: Codable, Sendable {
        public let goalId: UUID
        public let title: String
        public let level: String
        public let status: String
        public let ownerId: UUID?
        public let start: CalendarDate?
        public let due: CalendarDate?
    }

    public struct PhaseGroup: Codable, Sendable {
        public struct Procurement: Codable, Sendable {
            public let id: UUID
            public let title: String
            public let goals: [ProcurementView.GoalRef]
        }

        public let phase: String
        public let procurements: [Procurement]
    }

    public struct OverdueTask: Codable, Sendable {
        public let taskId: UUID
        public let title: String
        public let procurementId: UUID
        public let assigneeId: UUID?
        public let due: CalendarDate
    }

    public struct CheckinDue: Codable, Sendable {
        public let goalId: UUID
        public let title: String
        public let ownerId: UUID?
        public let lastCheckinAt: Date?
    }

    public let today: CalendarDate
    public let checkinDueDays: Int
    public let goalsByThemeAndStatus: [Count]
    public let goalsByLevelAndStatus: [Count]
    public let attainmentOverTime: [AttainmentPoint]
    public let schedule: [ScheduleItem]
    public let procurementsByPhase: [PhaseGroup]
    public let overdueGoals: [ScheduleItem]
    public let overdueTasks: [OverdueTask]
    public let checkinsDue: [CheckinDue]

    /// Builds the picture inside the organisation's transaction. `checkinDueDays` overrides the
    /// organisation's setting for this request.
    /// Each list of the dashboard shows at most this many items (the earliest due first; the
    /// newest procurements), so one large organisation's dashboard stays one bounded read.
    /// The charts' counts always cover everything.
    static let listLimit = 200

    static func build(checkinDueDays override: Int?, year: YearFilter = .all, on connection: TenantConnection) async throws -> Dashboard {
        try await read(checkinDueDays: override, year: year).read(on: connection)
    }

    /// The dashboard's statements, to send alone or with a page's other reads.
    /// `year` limits the goals (and their check-ins) to those planned for it; procurements are not
    /// planned by year and are always all shown.
    static func read(checkinDueDays override: Int?, year: YearFilter = .all) -> PipelinedRead<Dashboard> {
        let inYear = year.condition("plan_year")
        // Every statement is independent of the others' results, so all go in one round trip;
        // the check-in interval comes from the settings row inside the statement that needs it.
        let days: SQL = override.map { "\(Int32($0))::int" } ?? "(SELECT checkin_due_days FROM settings)"
        let newestProcurements: SQL = "SELECT id FROM procurements ORDER BY seq DESC LIMIT \(Self.listLimit)"
        return PipelinedRead(statements: [
            "SELECT current_date AS today, \(days) AS days",
            "SELECT coalesce(theme_code, 'none') AS key, status, count(*) AS n FROM goals WHERE \(inYear) GROUP BY 1, 2 ORDER BY 1, 2",
            "SELECT level AS key, status, count(*) AS n FROM goals WHERE \(inYear) GROUP BY 1, 2 ORDER BY 1, 2",
            """
            SELECT to_char(date_trunc('month', c.created_at), 'YYYY-MM') AS month, avg(c.attainment)::float8 AS average, count(*) AS n
            FROM checkins c WHERE c.goal_id IN (SELECT id FROM goals WHERE \(inYear)) GROUP BY 1 ORDER BY 1
            """,
            """
            SELECT id, title, level, status, owner_id, start_date, due_date FROM goals
            WHERE (start_date IS NOT NULL OR due_date IS NOT NULL) AND \(inYear)
            ORDER BY start_date NULLS LAST, due_date, title LIMIT \(Self.listLimit)
            """,
            """
            SELECT id, title, level, status, owner_id, start_date, due_date FROM goals
            WHERE status IN ('shortlisted', 'scheduled') AND due_date < current_date AND \(inYear)
            ORDER BY due_date, title LIMIT \(Self.listLimit)
            """,
            "SELECT id, title, procurement_id, assignee_id, due FROM tasks WHERE status <> 'done' AND due < current_date ORDER BY due, title LIMIT \(Self.listLimit)",
            """
            SELECT g.id, g.title, g.owner_id, c.last FROM goals g
            LEFT JOIN LATERAL (SELECT max(created_at) AS last FROM checkins WHERE goal_id = g.id) c ON true
            WHERE g.status = 'scheduled' AND \(year.condition("g.plan_year"))
              AND coalesce(c.last, g.start_date::timestamptz, g.updated_at) < now() - make_interval(days => \(days))
            ORDER BY c.last NULLS FIRST, g.title LIMIT \(Self.listLimit)
            """,
            "SELECT id, title, phase FROM procurements WHERE id IN (\(newestProcurements)) ORDER BY seq",
            "SELECT id, title, status, procurement_id FROM goals WHERE procurement_id IN (\(newestProcurements)) ORDER BY seq",
        ]) { results in try decode(results) }
    }

    private static func decode(_ results: PipelineResults) throws -> Dashboard {
        let header = try results.at(0).one()
        let count = { (row: PostgresRow) in Count(key: try row.decode("key"), status: try row.decode("status"), count: try row.decode("n"))
        }
        var goalsByProcurement: [UUID: [ProcurementView.GoalRef]] = [:]
        for row in try results.at(9) {
            goalsByProcurement[try row.decode("procurement_id"), default: []].append(
                .init(id: try row.decode("id"), title: try row.decode("title"), status: try row.decode("status")))
        }
        var phases: [String: [PhaseGroup.Procurement]] = [:]
        for row in try results.at(8) {
            let id: UUID = try row.decode("id")
            phases[try row.decode("phase"), default: []].append(
                .init(id: id, title: try row.decode("title"), goals: goalsByProcurement[id] ?? []))
        }
        return Dashboard(
            today: try header.decode("today"), checkinDueDays: try header.decode("days"),
            goalsByThemeAndStatus: try results.at(1).map(count), goalsByLevelAndStatus: try results.at(2).map(count),
            attainmentOverTime: try results.at(3).map {
                AttainmentPoint(month: try $0.decode("month"), averageAttainment: try $0.decode("average"), checkins: try $0.decode("n"))
            },
            schedule: try results.at(4).map(scheduleItem),
            procurementsByPhase: ProcurementPhase.allCases.map { PhaseGroup(phase: $0.rawValue, procurements: phases[$0.rawValue] ?? []) },
            overdueGoals: try results.at(5).map(scheduleItem),
            overdueTasks: try results.at(6).map {
                OverdueTask(
                    taskId: try $0.decode("id"), title: try $0.decode("title"), procurementId: try $0.decode("procurement_id"),
                    assigneeId: try $0.decode("assignee_id"), due: try $0.decode("due"))
            },
            checkinsDue: try results.at(7).map {
                CheckinDue(
                    goalId: try $0.decode("id"), title: try $0.decode("title"), ownerId: try $0.decode("owner_id"),
                    lastCheckinAt: try $0.decode("last"))
            })
    }

    private static func scheduleItem(_ row: PostgresRow) throws -> ScheduleItem {
        ScheduleItem(
            goalId: try row.decode("id"), title: try row.decode("title"), level: try row.decode("level"), status: try row.decode("status"),
            ownerId: try row.decode("owner_id"), start: try row.decode("start_date"), due: try row.decode("due_date"))
    }
}
