import Foundation
import Postgres

/// How often a person wants their digest by e-mail.
public enum ReminderFrequency: String, Codable, Sendable, CaseIterable {
    case off, daily, weekly

    /// The period a digest sent at `day` belongs to: the day, or the ISO week (`2027-W02`).
    func period(of day: CalendarDate) -> String? {
        switch self {
        case .off: nil
        case .daily: day.description
        case .weekly: day.isoWeek
        }
    }
}

/// `GET|PATCH /me/reminders`: a person's digest choice, and whether this server sends e-mail.
public struct ReminderSettings: Encodable, Sendable {
    public let email: ReminderFrequency
    /// False when the server has no `LUOTSI_SMTP_URL`: the choice is kept, nothing is sent.
    public let emailConfigured: Bool
}

/// Reads and stores each person's choice (`users.reminder_email`).
public struct ReminderPreferences: Sendable {
    public init() {}

    public func frequency(of person: UUID, on connection: TenantConnection) async throws -> ReminderFrequency {
        guard let row = try await connection.query("SELECT reminder_email FROM users WHERE id = \(person)").single() else {
            throw LuotsiError.notFound("user")
        }
        return ReminderFrequency(rawValue: try row.decode("reminder_email")) ?? .weekly
    }

    /// Stores the choice, in the audit trail too when it changes.
    public func set(_ frequency: ReminderFrequency, for person: Identity.Member, on connection: TenantConnection) async throws {
        let before = try await self.frequency(of: person.id, on: connection)
        guard before != frequency else { return }
        try await connection.query("UPDATE users SET reminder_email = \(frequency.rawValue), updated_at = now() WHERE id = \(person.id)")
        try await AuditLog.record(
            "user.reminders", entity: "user", id: person.id, by: person, before: ["email": before.rawValue],
            after: ["email": frequency.rawValue], on: connection)
    }

    /// The same choice made from an unsubscribe link: no session, so the person is the actor.
    func unsubscribe(_ person: UUID, on connection: TenantConnection) async throws -> Bool {
        let row = try await connection.query(
            """
            WITH before AS (SELECT id, email, reminder_email FROM users WHERE id = \(person) FOR UPDATE),
            changed AS (UPDATE users SET reminder_email = 'off', updated_at = now() FROM before
                        WHERE users.id = before.id AND before.reminder_email <> 'off' RETURNING users.id)
            SELECT before.email, before.reminder_email, (SELECT count(*) FROM changed) AS changed FROM before
            """
        ).single()
        guard let row else { throw LuotsiError.notFound("user") }
        guard try row.decode("changed", as: Int.self) > 0 else { return false }
        try await connection.query(
            """
            INSERT INTO audit_log (actor_id, actor_email, action, entity, entity_id, before, after)
            VALUES (\(person), \(try row.decode("email", as: String.self)), \("user.unsubscribe"), 'user', \(person),
                    jsonb_build_object('email', \(try row.decode("reminder_email", as: String.self))), '{"email": "off"}')
            """)
        return true
    }
}

extension CalendarDate {
    /// ISO 8601 week, `2027-W02`: weeks start on Monday and week 1 holds the year's first Thursday.
    var isoWeek: String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? Date(timeIntervalSince1970: 0)
        let week = calendar.component(.weekOfYear, from: date)
        let weekYear = calendar.component(.yearForWeekOfYear, from: date)
        return String(format: "%04d-W%02d", weekYear, week)
    }
}
