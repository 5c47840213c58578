import Foundation

/// A person's account inside an organisation.
public struct User: Sendable, Equatable, Codable {
    public let id: UUID
    public let email: String
    public let name: String
    public let role: Role
    public let active: Bool
}
