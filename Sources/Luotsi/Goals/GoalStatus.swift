/// Where a goal stands in the funnel.
public enum GoalStatus: String, Sendable, Codable, CaseIterable {
    case idea, shortlisted, scheduled, achieved
    case partlyAchieved = "partly_achieved"
    case notAchieved = "not_achieved"
    case rejected, dropped

    /// The funnel: `idea → shortlisted → scheduled → achieved | partly_achieved | not_achieved`,
    /// `idea → rejected`, `shortlisted | scheduled → dropped`.
    public static let moves: [GoalStatus: Set<GoalStatus>] = [
        .idea: [.shortlisted, .rejected],
        .shortlisted: [.scheduled, .dropped],
        .scheduled: [.achieved, .partlyAchieved, .notAchieved, .dropped],
    ]

    public func canMove(to target: GoalStatus) -> Bool { Self.moves[self]?.contains(target) ?? false }

    /// Sifting moves (management and leads on any goal).
    public var isSifting: Bool { self == .shortlisted || self == .rejected }
    /// Closing moves: they need an evaluation.
    public var isClosing: Bool { [.achieved, .partlyAchieved, .notAchieved].contains(self) }
    /// The goal's work is over.
    public var isFinal: Bool { isClosing || self == .rejected || self == .dropped }
}

/// Organisation-wide or within one procurement.
public enum GoalLevel: String, Sendable, Codable, CaseIterable {
    case organisation, procurement
}
