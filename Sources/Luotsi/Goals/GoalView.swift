import Foundation
import Postgres

/// A goal as the API shows it, with its alignment, schedule, follow-up and progress.
public struct GoalView: Codable, Sendable {
    public struct CatalogueRef: Codable, Sendable {
        public let id: UUID
        public let code: String
        /// The catalogue version the goal was adopted from; it keeps pointing there.
        public let version: Int
        public let name: Localized
        public let latestVersion: Int?
        /// The newest published version words this goal differently (or dropped it).
        public let changedInLatest: Bool
        public let latest: LatestWording?
    }

    public struct LatestWording: Codable, Sendable {
        public let id: UUID
        public let name: Localized
        public let description: Localized
    }

    public struct Alignment: Codable, Sendable {
        /// `goal` (an organisation goal) or `catalogue` (a national goal).
        public let kind: String
        public let id: UUID
        public let title: String
    }

    public struct Milestone: Codable, Sendable {
        public let id: UUID
        public let title: String
        public let due: CalendarDate
        public let done: Bool
        /// When and by whom it was ticked done (nil while not done, and for one ticked before
        /// these were kept).
        public let doneAt: Date?
        public let doneBy: UUID?
        public let doneByName: String?
    }

    public struct Indicator: Codable, Sendable {
        public let id: UUID
        public let name: String
        public let unit: String
        public let baseline: Decimal?
        public let target: Decimal
        public let direction: String
        public let catalogueIndicatorId: UUID?
        public let latestValue: Decimal?
        /// Retired indicators keep their recorded values but take no new ones and do not count
        /// towards the derived attainment.
        public let retired: Bool
        public let retiredAt: Date?
    }

    /// A procurement goal that supports this (organisation) goal.
    public struct Contribution: Codable, Sendable {
        public let goalId: UUID
        public let title: String
        public let procurementId: UUID?
        public let procurementTitle: String?
        public let status: GoalStatus
        /// Its latest check-in's attainment (nil before the first).
        public let attainment: Int?
    }

    public struct LatestCheckin: Codable, Sendable {
        public let id: UUID
        public let status: String
        public let attainment: Int
        public let at: Date
    }

    /// See `Progress.swift` for the rule.
    public struct ProgressView: Codable, Sendable {
        public let reportedAttainment: Int?
        public let derivedAttainment: Int?
        public let derivedFrom: String?
        public let tasksDone: Int
        public let tasksTotal: Int
    }

    public let id: UUID
    public let title: String
    public let description: String
    public let level: GoalLevel
    public let procurementId: UUID?
    public let themeCode: String?
    public let catalogueGoal: CatalogueRef?
    public let alignsTo: [UUID]
    public let alignments: [Alignment]
    /// The procurement goals that support this goal, for an organisation goal (empty otherwise).
    public let contributions: [Contribution]
    public let status: GoalStatus
    public let priority: Int?
    public let ownerId: UUID?
    /// The owner's name, so that a list shows who without a second read.
    public let ownerName: String?
    public let start: CalendarDate?
    public let due: CalendarDate?
    /// The year the goal is planned for (see `sql/tenant/012_plan_year.sql`).
    public let planYear: Int
    public let evaluation: String?
    public let milestones: [Milestone]
    public let indicators: [Indicator]
    public let supportCount: Int
    /// Set for the person reading (`GoalViewSet.seen(by:)`).
    public internal(set) var supportedByMe: Bool
    /// The workshop it came from, if any; its guests' votes count in `supportCount`.
    public let workshop: WorkshopRef?
    public let commentCount: Int
    public let latestCheckin: LatestCheckin?
    public let progress: ProgressView
    public let createdBy: UUID
    public let createdAt: Date
    public let updatedAt: Date
    public let version: Int
}

extension GoalView {
    /// The title in `language`: an adopted goal the organisation has not renamed (its title is
    /// still one of the national goal's names) reads the national goal's name in that language.
    func title(in language: Language) -> String {
        GoalTitle(stored: title, national: catalogueGoal?.name).text(language)
    }
}

/// The workshop a goal came from: its board and summary are at `/w/<joinCode>`.
public struct WorkshopRef: Codable, Sendable {
    public let id: UUID
    public let title: String
    public let joinCode: String
}
