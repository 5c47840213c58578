import Foundation

/// The board as one viewer's page shows it: every text in their language, every button they
/// may press. Rendered whole into the page, and again into each live viewer's socket when the
/// board changes (`WorkshopLive`), so the page and its live updates are the same markup.
struct WorkshopBoardView: Sendable {
    struct Button: Sendable {
        let value: String
        let label: String
    }

    struct Option: Sendable {
        let id: String
        let text: String
    }

    struct IdeaRow: Sendable {
        let id: String
        let text: String
        let rationale: String?
        let author: String
        let votesText: String
        let votes: Int
        let myVotesText: String?
        let canVote: Bool
        let canUnvote: Bool
        let decisionText: String?
        let decisionClass: String
        let reason: String?
        let merged: [String]
        let hasMerged: Bool
        let decide: Bool
        let mergeOptions: [Option]
        let hasMergeOptions: Bool
        let goalHref: String?
    }

    let code: String
    let title: String
    let csrf: String
    let boardPath: String
    let phaseText: String
    let phaseKey: String
    let gathering: Bool
    let voting: Bool
    let deciding: Bool
    let closed: Bool
    let focusText: String?
    let timerText: String?
    /// ISO 8601, for the script's countdown.
    let endsAt: String?
    let facilitates: Bool
    let canAddIdea: Bool
    let allowAnonymous: Bool
    let votesLeftText: String?
    let participantsText: String
    let ideasText: String
    let hasIdeas: Bool
    /// Every vote on the board, for scripts that wait for a count (the load benchmark).
    let totalVotes: Int
    let ideas: [IdeaRow]
    let nextPhase: Button?
    let previousPhase: Button?
    let joinText: String
    let guestsText: String?
    let isGuest: Bool
    let youText: String?

    init(_ board: WorkshopBoard, strings s: Strings, csrf: String, language: Language) {
        let phase = board.phase
        let you = board.you
        let facilitates = you?.facilitates ?? false
        let takesPart = you != nil
        code = board.joinCode
        title = board.title
        self.csrf = csrf
        boardPath = "/w/\(board.joinCode)"
        phaseKey = phase.rawValue
        phaseText = s["workshop_phase_\(phase.rawValue)"]
        gathering = phase == .gathering
        voting = phase == .voting
        deciding = phase == .deciding
        closed = phase == .closed
        focusText = board.focus.map { focus in s.format("workshop_focus_\(focus.kind.rawValue)", ["name": focus.name]) }
        if let ends = board.phaseEndsAt {
            timerText = s.format("workshop_timer_ends", ["time": Formatting.time(ends, language)])
            endsAt = ISO8601DateFormatter().string(from: ends)
        } else {
            timerText = nil
            endsAt = nil
        }
        self.facilitates = facilitates
        canAddIdea = takesPart && phase == .gathering
        allowAnonymous = board.anonymousIdeas
        votesLeftText =
            takesPart && phase == .voting
            ? s.format("workshop_votes_left", ["left": "\(you?.votesLeft ?? 0)", "total": "\(board.votesPerPerson)"]) : nil
        let guests = board.participants.count(where: \.guest)
        participantsText = s.counted("workshop_participants", board.participants.count, ["guests": "\(guests)"])
        let standing = board.standing
        ideasText = s.counted("workshop_ideas_count", standing.count)
        hasIdeas = !standing.isEmpty
        totalVotes = standing.reduce(0) { $0 + $1.votes }
        let mergedByTarget = Dictionary(grouping: board.ideas.filter { $0.mergedInto != nil }, by: { $0.mergedInto ?? $0.id })
        let isMember = !(you?.guest ?? true)
        ideas = standing.map { idea in
            let mine = you?.votes[idea.id.uuidString.lowercased()] ?? 0
            let left = you?.votesLeft ?? 0
            let merged = (mergedByTarget[idea.id] ?? []).map(\.text)
            let mergeOptions =
                facilitates && (phase == .gathering || phase == .voting)
                ? standing.filter { $0.id != idea.id }.map { Option(id: $0.id.uuidString.lowercased(), text: $0.text) } : []
            return IdeaRow(
                id: idea.id.uuidString.lowercased(), text: idea.text, rationale: idea.rationale.isEmpty ? nil : idea.rationale,
                author: idea.author ?? s["workshop_anonymous"], votesText: s.counted("workshop_votes", idea.votes), votes: idea.votes,
                myVotesText: mine > 0 ? s.counted("workshop_my_votes", mine) : nil,
                canVote: takesPart && phase == .voting && left > 0 && mine < board.votesPerIdea,
                canUnvote: takesPart && phase == .voting && mine > 0,
                decisionText: idea.decision.map { s["workshop_decision_\($0.rawValue)"] },
                decisionClass: idea.decision?.rawValue ?? "undecided", reason: idea.reason,
                merged: merged, hasMerged: !merged.isEmpty, decide: facilitates && phase == .deciding, mergeOptions: mergeOptions,
                hasMergeOptions: !mergeOptions.isEmpty,
                goalHref: isMember ? idea.goalId.map { "/goals/\($0.uuidString.lowercased())" } : nil)
        }
        nextPhase = facilitates ? phase.next.map { Button(value: $0.rawValue, label: s["workshop_to_\($0.rawValue)"]) } : nil
        previousPhase = facilitates ? phase.previous.map { Button(value: $0.rawValue, label: s["workshop_back_to_\($0.rawValue)"]) } : nil
        joinText = s.format("workshop_join_text", ["code": board.joinCode])
        guestsText = board.guestsAllowed ? s.format("workshop_guests_allowed", ["limit": "\(board.guestLimit)"]) : nil
        isGuest = you?.guest ?? false
        youText = you.map { s.format(($0.guest ? "workshop_you_guest" : "workshop_you"), ["name": $0.name]) }
    }
}
