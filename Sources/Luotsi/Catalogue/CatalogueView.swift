import Foundation

/// The catalogue in one language, as `GET /api/v1/catalogue` shows it.
public struct CatalogueView: Codable, Sendable {
    public struct Indicator: Codable, Sendable {
        public let id: UUID
        public let code: String
        public let name: String
        public let description: String
        public let unit: String
        public let direction: String
        public let target: Decimal?
        public let targetYear: Int?
    }

    public struct Goal: Codable, Sendable {
        public let id: UUID
        public let code: String
        public let name: String
        public let description: String
        public let indicators: [Indicator]
    }

    public struct Theme: Codable, Sendable {
        public let code: String
        public let name: String
        public let statement: String
        public let status: String
        public let goals: [Goal]
    }

    public let version: Int
    public let language: Language
    public let title: String
    public let publishedAt: Date?
    public let themes: [Theme]
}

/// One catalogue version in the platform admin's list.
public struct CatalogueVersionSummary: Codable, Sendable {
    public let version: Int
    public let status: String
    public let note: String
    public let createdAt: Date
    public let publishedAt: Date?
    public let goalCount: Int
}
