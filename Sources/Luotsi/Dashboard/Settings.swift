import Foundation
import Postgres

/// `PATCH …/settings`.
public struct SettingsInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["checkinDueDays", "planningYear"]
    public var checkinDueDays: Int?
    /// `null` goes back to the calendar year.
    public var planningYear: Patch<Int>
}

/// The organisation's settings: after how many days without a check-in a scheduled goal is due
/// one, and its current planning year (the overall picture's, the report's and new goals' default).
public struct Settings: Codable, Sendable {
    public let checkinDueDays: Int
    /// The current planning year: the one set, else the calendar year.
    public let planningYear: Int
    /// Whether `planningYear` was set, rather than following the calendar.
    public let planningYearSet: Bool

    static func read(on connection: TenantConnection) async throws -> Settings {
        try await readSettings().read(on: connection)
    }

    static func readSettings() -> PipelinedRead<Settings> {
        PipelinedRead(statements: [
            "SELECT checkin_due_days, \(GoalRepository.currentPlanningYear) AS planning_year, planning_year IS NOT NULL AS year_set FROM settings"
        ]) { results in
            let row = try results.at(0).one()
            return Settings(
                checkinDueDays: try row.decode("checkin_due_days"), planningYear: Int(try row.decode("planning_year", as: Int32.self)),
                planningYearSet: try row.decode("year_set"))
        }
    }

    static func update(_ input: SettingsInput, by actor: Identity.Member, on connection: TenantConnection) async throws -> Settings {
        let before = try await read(on: connection)
        if let days = input.checkinDueDays {
            guard (1...365).contains(days) else { throw LuotsiError.invalid(field: "checkinDueDays", reason: "must be 1–365") }
            try await connection.query("UPDATE settings SET checkin_due_days = \(days)")
        }
        if input.planningYear.isPresent {
            let year = try GoalValidation.planYear(input.planningYear.value, field: "planningYear")
            try await connection.query("UPDATE settings SET planning_year = \(year.map(Int32.init))")
        }
        let after = try await read(on: connection)
        try await AuditLog.record("settings.update", entity: "settings", id: nil, by: actor, before: before, after: after, on: connection)
        return after
    }
}
