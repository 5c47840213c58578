import Foundation
import Postgres

/// Accounts inside organisations, and platform admins.
public struct UserRepository: Sendable {
    public let tenants: TenantDatabase
    public let organisations: OrganisationRepository

    public init(tenants: TenantDatabase, organisations: OrganisationRepository) {
        self.tenants = tenants
        self.organisations = organisations
    }

    /// Creates a user in an organisation (by slug).
    public func create(_ user: NewUser, role: Role, organisationSlug: String) async throws -> User {
        let organisation = try await organisations.find(slug: organisationSlug)
        let user = try user.validated()
        let hash = await PasswordHasher.hash(user.password)
        return try await tenants.withTenant(organisation.schema) { connection in
            try await Self.insert(user, role: role, passwordHash: hash, on: connection)
        }
    }

    /// Creates a platform admin.
    public func createPlatformAdmin(_ user: NewUser) async throws -> UUID {
        let user = try user.validated()
        let hash = await PasswordHasher.hash(user.password)
        let platform = organisations.migrator.platformSchema
        do {
            let rows = try await tenants.pool.query(
                "INSERT INTO \(schema: platform).platform_admins (email, name, password_hash) VALUES (\(user.email), \(user.name), \(hash)) RETURNING id"
            )
            guard let row = try rows.single() else { throw LuotsiError.notFound("platform admin") }
            return try row.decode("id")
        } catch let error as PostgresError where error.isUniqueViolation {
            throw LuotsiError.conflict("a platform admin with email \(user.email) already exists")
        }
    }

    /// Inserts into the current organisation's `users` (the transaction is already in its schema).
    static func insert(_ user: NewUser, role: Role, passwordHash: String, on connection: TenantConnection) async throws -> User {
        do {
            let rows = try await connection.query(
                """
                INSERT INTO users (email, name, role, password_hash)
                VALUES (\(user.email), \(user.name), \(role.rawValue), \(passwordHash))
                RETURNING id, email, name, role, active
                """)
            guard let row = try rows.single() else { throw LuotsiError.notFound("user") }
            return try Self.user(from: row)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw LuotsiError.conflict("a user with email \(user.email) already exists in this organisation")
        }
    }

    static func user(from row: PostgresRow) throws -> User {
        User(
            id: try row.decode("id"), email: try row.decode("email"), name: try row.decode("name"),
            role: try Role.parse(try row.decode("role")), active: try row.decode("active"))
    }

    /// A reference to a person (owner, lead, assignee, member) must name an active user of the
    /// organisation; `field` names the input in the error.
    static func requireActive(_ id: UUID, field: String, on connection: TenantConnection) async throws {
        guard try await connection.query("SELECT 1 FROM users WHERE id = \(id) AND active").single() != nil else {
            throw LuotsiError.unknownReference(field: field, what: "no such active user in this organisation")
        }
    }
}
