import Foundation
import Postgres

/// `POST …/users`.
public struct NewUserInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["email", "name", "role", "password"]
    public var email: String
    public var name: String
    public var role: String
    public var password: String
}

/// `PATCH …/users/{id}`.
public struct UserPatchInput: JSONInput, Sendable {
    public static let fields: Set<String> = ["role", "active"]
    public var role: String?
    public var active: Bool?
}

/// Management's view of the organisation's accounts (inside its transaction).
public struct OrganisationUsers: Sendable {
    public init() {}

    public func list(page: PageRequest, on connection: TenantConnection) async throws -> Page<User> {
        let rows = try await connection.query(
            "SELECT seq, id, email, name, role, active FROM users WHERE seq > \(page.after) ORDER BY seq LIMIT \(page.limit + 1)")
        return page.page(try rows.map { (try $0.decode("seq", as: Int64.self), try UserRepository.user(from: $0)) })
    }

    /// `passwordHash` is made before the transaction: bcrypt is slow and must not hold it open.
    public func create(_ user: NewUser, role: Role, passwordHash: String, by actor: Identity.Member, on connection: TenantConnection)
        async throws
        -> User
    {
        let created = try await UserRepository.insert(user, role: role, passwordHash: passwordHash, on: connection)
        try await AuditLog.record("user.create", entity: "user", id: created.id, by: actor, after: created, on: connection)
        return created
    }

    /// Changes role and/or active. The last active management user cannot be demoted or
    /// deactivated (409), so an organisation never locks itself out. Returns the account before and after.
    public func update(_ id: UUID, _ input: UserPatchInput, by actor: Identity.Member, on connection: TenantConnection) async throws
        -> (before: User, after: User)
    {
        let role = try input.role.map(Role.parse)
        guard let row = try await connection.query("SELECT id, email, name, role, active FROM users WHERE id = \(id) FOR UPDATE").single()
        else {
            throw LuotsiError.notFound("user")
        }
        let before = try UserRepository.user(from: row)
        let losesManagement = before.role == .management && before.active && ((role != nil && role != .management) || input.active == false)
        if losesManagement {
            let others = try await connection.query(
                "SELECT count(*) AS n FROM users WHERE role = 'management' AND active AND id <> \(id)"
            ).one().decode("n", as: Int.self)
            guard others > 0 else { throw LuotsiError.conflict("the organisation must keep at least one active management user") }
        }
        let after = try UserRepository.user(
            from: try await connection.query(
                """
                UPDATE users SET role = coalesce(\(role?.rawValue), role), active = coalesce(\(input.active), active), updated_at = now()
                WHERE id = \(id) RETURNING id, email, name, role, active
                """
            ).one())
        try await AuditLog.record("user.update", entity: "user", id: id, by: actor, before: before, after: after, on: connection)
        return (before, after)
    }
}
