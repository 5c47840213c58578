import Foundation

/// An organisation (tenant) as the platform knows it.
public struct Organisation: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case active, suspended
    }

    public let id: UUID
    public let slug: String
    public let name: String
    /// The organisation's schema, which is also the name of its database role.
    public let schema: SchemaName
    public let status: Status
    public let createdAt: Date

    /// Slugs are lower-case letters, digits and inner hyphens, 1–50 characters.
    public static func validate(slug: String) throws {
        let allowed = slug.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        guard (1...50).contains(slug.utf8.count), allowed, !slug.hasPrefix("-"), !slug.hasSuffix("-") else {
            throw LuotsiError.invalid(
                field: "slug", reason: "use 1–50 lower-case letters a–z, digits and inner hyphens (e.g. \"city-of-turku\")")
        }
    }

    /// Names are 1–200 characters after trimming.
    public static func validate(name: String) throws -> String {
        try TextRules.required(name, field: "name", max: 200)
    }
}
