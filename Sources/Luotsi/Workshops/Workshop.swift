import Foundation

/// A workshop's phases, in the order the facilitator moves them (one step at a time; back one
/// step too, until it closes).
public enum WorkshopPhase: String, Codable, Sendable, CaseIterable {
    case gathering, voting, deciding, closed

    var next: WorkshopPhase? {
        switch self {
        case .gathering: .voting
        case .voting: .deciding
        case .deciding: .closed
        case .closed: nil
        }
    }

    var previous: WorkshopPhase? {
        switch self {
        case .gathering, .closed: nil
        case .voting: .gathering
        case .deciding: .voting
        }
    }
}

/// What a facilitator decides about an idea while deciding.
public enum WorkshopDecision: String, Codable, Sendable, CaseIterable {
    case shortlisted, rejected
}

/// A new workshop, checked.
public struct NewWorkshop: Sendable {
    public let title: String
    /// An organisation goal, a procurement or a national catalogue goal (resolved when stored).
    public let focus: UUID?
    public let votesPerPerson: Int16
    public let votesPerIdea: Int16
    public let anonymousIdeas: Bool
    public let guestsAllowed: Bool
    public let guestLimit: Int16
    public let phaseMinutes: Int16?

    public init(
        title: String, focus: UUID? = nil, votesPerPerson: Int? = nil, votesPerIdea: Int? = nil, anonymousIdeas: Bool? = nil,
        guests: Bool? = nil, guestLimit: Int? = nil, phaseMinutes: Int? = nil
    ) throws {
        self.title = try TextRules.required(title, field: "title", max: 200)
        self.focus = focus
        self.votesPerPerson = try Self.small(votesPerPerson ?? 3, field: "votesPerPerson", in: 1...20)
        self.votesPerIdea = try Self.small(votesPerIdea ?? 1, field: "votesPerIdea", in: 1...20)
        self.anonymousIdeas = anonymousIdeas ?? false
        self.guestsAllowed = guests ?? false
        self.guestLimit = try Self.small(guestLimit ?? 30, field: "guestLimit", in: 1...500)
        self.phaseMinutes = try phaseMinutes.map { try Self.small($0, field: "phaseMinutes", in: 1...240) }
    }

    static func small(_ value: Int, field: String, in range: ClosedRange<Int>) throws -> Int16 {
        guard range.contains(value) else {
            throw LuotsiError.invalid(field: field, reason: "must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int16(value)
    }
}

/// Who acts on a board: a member of the organisation as themselves, or a guest let in by the
/// facilitator, known only inside that one workshop.
public enum WorkshopActor: Sendable {
    case member(Identity.Member)
    case guest(WorkshopGuest)

    var displayName: String {
        switch self {
        case .member(let member): member.name
        case .guest(let guest): guest.name
        }
    }
}

/// A guest inside one workshop (the cookie `WorkshopGuestPass` names it).
public struct WorkshopGuest: Sendable, Equatable {
    public let schema: SchemaName
    public let workshopID: UUID
    public let participantID: UUID
    public let name: String
}

/// A workshop as everyone sees it: settings, phase and timer, who took part, the ideas with
/// their votes and decisions; `you` is the caller's own part (votes placed, votes left).
public struct WorkshopBoard: Codable, Sendable {
    public struct Focus: Codable, Sendable {
        public enum Kind: String, Codable, Sendable, CaseIterable { case catalogue, goal, procurement }
        public let kind: Kind
        public let id: UUID
        public let name: String
    }

    public struct Participant: Codable, Sendable {
        public let id: UUID
        public let name: String
        public let guest: Bool
        public let userId: UUID?
        public let joinedAt: Date
    }

    public struct Idea: Codable, Sendable {
        public let id: UUID
        public let text: String
        public let rationale: String
        /// `nil` when given anonymously.
        public let author: String?
        public let votes: Int
        public let voters: Int
        public let mergedInto: UUID?
        public let decision: WorkshopDecision?
        public let reason: String?
        public let goalId: UUID?
        public let createdAt: Date
    }

    public struct You: Codable, Sendable {
        public let participantId: UUID?
        public let name: String
        public let guest: Bool
        public let facilitates: Bool
        public let votesLeft: Int
        /// Idea id → this person's votes on it.
        public let votes: [String: Int]
    }

    public let id: UUID
    public let title: String
    public let joinCode: String
    public let phase: WorkshopPhase
    public let phaseStartedAt: Date
    public let phaseMinutes: Int?
    /// When the phase's time box ends, if it has one.
    public let phaseEndsAt: Date?
    public let votesPerPerson: Int
    public let votesPerIdea: Int
    public let anonymousIdeas: Bool
    public let guestsAllowed: Bool
    public let guestLimit: Int
    public let facilitatorId: UUID
    public let facilitatorName: String
    public let focus: Focus?
    public let createdAt: Date
    public let closedAt: Date?
    public let participants: [Participant]
    /// Not merged ones first in order of votes (most first), then oldest first; merged ones last.
    public let ideas: [Idea]
    public var you: You?

    /// Ideas still standing (not merged into another).
    var standing: [Idea] { ideas.filter { $0.mergedInto == nil } }
}

/// One row of the organisation's list of workshops.
public struct WorkshopSummary: Codable, Sendable {
    public let id: UUID
    public let title: String
    public let joinCode: String
    public let phase: WorkshopPhase
    public let facilitatorName: String
    public let ideas: Int
    public let participants: Int
    public let createdAt: Date
    public let closedAt: Date?
}

/// What `POST …/workshops` answers.
public struct CreatedWorkshop: Codable, Sendable {
    public let id: UUID
    public let joinCode: String
    public let joinPath: String
    public let phase: WorkshopPhase
}
