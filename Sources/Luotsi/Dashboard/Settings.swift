import Foundation
import Postgres

/// `PATCH …/settings`.
public struct SettingsInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["checkinDueDays"]
    public var checkinDueDays: Int?
}

public struct Settings: Codable, Sendable {
    public let checkinDueDays: Int

    static func read(on connection: TenantConnection) async throws -> Settings {
        Settings(checkinDueDays: try await connection.query("SELECT checkin_due_days FROM settings").one().decode("checkin_due_days"))
    }

    static func update(_ input: SettingsInput, by actor: Identity.Member, on connection: TenantConnection) async throws -> Settings {
        let before = try await read(on: connection)
        if let days = input.checkinDueDays {
            guard (1...365).contains(days) else { throw LuotsiError.invalid(field: "checkinDueDays", reason: "must be 1–365") }
            try await connection.query("UPDATE settings SET checkin_due_days = \(days)")
        }
        let after = try await read(on: connection)
        try await AuditLog.record("settings.update", entity: "settings", id: nil, by: actor, before: before, after: after, on: connection)
        return after
    }
}
