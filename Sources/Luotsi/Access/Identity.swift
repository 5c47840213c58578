import Foundation

/// Who is calling, as established from a valid session.
public enum Identity: Sendable {
    case platformAdmin(PlatformAdmin)
    case member(Member)

    /// A platform administrator: above all organisations, inside none.
    public struct PlatformAdmin: Sendable {
        public let id: UUID
        public let email: String
        public let name: String
        public var language: Language?
    }

    /// A person inside one organisation, with a role there.
    public struct Member: Sendable {
        public let id: UUID
        public let email: String
        public let name: String
        public let role: Role
        public let organisation: Organisation
        public var language: Language?
        /// The database role the organisation's transactions run as; `nil`: the organisation's own.
        /// Only the test switch that turns the application's organisation check off sets it.
        public var databaseRole: SchemaName? = nil
    }

    /// The organisation of a member; `nil` for a platform admin.
    public var organisationID: UUID? {
        if case .member(let member) = self { member.organisation.id } else { nil }
    }

    public var userID: UUID {
        switch self {
        case .platformAdmin(let admin): admin.id
        case .member(let member): member.id
        }
    }

    /// The JSON shape of `user` in `/auth/login` and `/me`.
    public var publicUser: PublicUser {
        switch self {
        case .platformAdmin(let admin):
            PublicUser(
                id: admin.id, email: admin.email, name: admin.name, role: "platform_admin", organisation: nil, language: admin.language)
        case .member(let member):
            PublicUser(
                id: member.id, email: member.email, name: member.name, role: member.role.rawValue,
                organisation: .init(slug: member.organisation.slug, name: member.organisation.name), language: member.language)
        }
    }
}

/// The signed-in user as the API shows it.
public struct PublicUser: Codable, Sendable, Equatable {
    public struct OrganisationRef: Codable, Sendable, Equatable {
        public let slug: String
        public let name: String
    }

    public let id: UUID
    public let email: String
    public let name: String
    /// `platform_admin`, `management`, `lead` or `staff`.
    public let role: String
    public let organisation: OrganisationRef?
    /// The chosen interface language; `null` means the browser's.
    public let language: Language?
}
