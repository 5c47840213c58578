import Foundation
import Postgres

/// A signed-in person's own settings, shared by `PATCH /me` and the pages' language menu.
public struct Profiles: Sendable {
    let tenants: TenantDatabase
    let pool: PostgresPool
    let platform: SchemaName
    let sessions: SessionStore

    /// Stores the interface language (`nil`: follow the browser) and returns the updated identity.
    public func setLanguage(_ language: Language?, for identity: Identity) async throws -> Identity {
        switch identity {
        case .member(var member):
            _ = try await tenants.withTenant(member.organisation.schema) { connection in
                try await connection.query("UPDATE users SET language = \(language?.rawValue), updated_at = now() WHERE id = \(member.id)")
            }
            member.language = language
            try await sessions.forget(userID: member.id)
            return .member(member)
        case .platformAdmin(var admin):
            try await pool.query(
                "UPDATE \(schema: platform).platform_admins SET language = \(language?.rawValue) WHERE id = \(admin.id)")
            admin.language = language
            try await sessions.forget(userID: admin.id)
            return .platformAdmin(admin)
        }
    }
}
