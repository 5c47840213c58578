import Foundation
import Postgres

/// The goal page's model: the goal, its follow-up and discussion, and the forms the caller's
/// role may use. A failed form is shown again with what was typed (`typed`) and its errors.
struct GoalDetailPage: Sendable {
    struct Milestone: Sendable {
        let id: String
        let title: String
        let due: String
        let done: Bool
        /// "Done 3.12.2026 by Maija Meikäläinen", when that is known.
        let doneNote: String?
        /// The tick's button: "Mark done" or "Undo"; the form posts the other state.
        let action: String
        let setDone: String
    }

    /// One move of the funnel history.
    struct Move: Sendable {
        let at: String
        let step: String
        let actor: String
        let reason: String?
    }

    struct Link: Sendable {
        let href: String?
        let title: String
    }

    struct ContributionRow: Sendable {
        let href: String
        let title: String
        let procurementHref: String?
        let procurementTitle: String
        let status: StatusBadge
        let attainment: String
    }

    struct Indicator: Sendable {
        let name: String
        let unit: String?
        let baseline: String
        let target: String
        let latest: String
        let direction: String
        /// The check-in form's input for this indicator.
        let fieldName: String
        let typed: String
        /// Retired: shown with its values, offered no new one.
        let retired: Bool
    }

    struct CheckInRow: Sendable {
        let at: String
        let author: String
        let status: StatusBadge
        let attainment: String
        let phase: String
        let comment: String
    }

    struct Comment: Sendable {
        let author: String
        let at: String
        let text: String
    }

    struct Stale: Sendable {
        let currentTitle: String
        let currentDescription: String
        let currentPriority: String
        let typedTitle: String
        let typedDescription: String
        let typedPriority: String
    }

    let id: String
    let title: String
    let description: String?
    let status: StatusBadge
    let level: String
    let procurementTitle: String?
    let procurementHref: String?
    let catalogueName: String?
    /// What this goal supports (organisation and national goals), linked where they are pages.
    let supports: [Link]
    let hasSupports: Bool
    /// For an organisation goal: the procurement goals that support it.
    let contributions: [ContributionRow]
    let hasContributions: Bool
    let changedInLatest: Bool
    let latestCatalogueName: String?
    let owner: String?
    let start: String
    let due: String
    let priority: String
    let evaluation: String?
    let milestones: [Milestone]
    let hasMilestones: Bool
    /// The milestones can be ticked by this person now (as checking in can).
    let canTickMilestones: Bool
    let history: [Move]
    let indicators: [Indicator]
    let currentIndicators: [Indicator]
    let hasIndicators: Bool
    let canEditIndicators: Bool
    let reportedAttainment: String?
    let derivedAttainment: String?
    let tasksDone: Int
    let tasksTotal: Int
    let supportText: String
    /// "From the workshop …", linking to its board and record.
    let workshopText: String?
    let workshopHref: String?
    let supportedByMe: Bool
    let canDiscuss: Bool
    let canCheckIn: Bool
    let checkInStatusOptions: [Option]
    let typedAttainment: String
    let typedCheckInComment: String
    let checkIns: [CheckInRow]
    let hasCheckIns: Bool
    let moves: [Option]
    let canMove: Bool
    let canSchedule: Bool
    /// Who schedules this shortlisted goal, when it is not this person.
    let scheduleNote: String?
    /// A scheduled goal whose owner and dates this person may change.
    let canReschedule: Bool
    let planYear: Int
    /// An unfinished goal this person may move to another plan year, and the years offered.
    let canMoveYear: Bool
    let yearOptions: [Option]
    let typedReason: String
    let canEdit: Bool
    let editTitle: String
    let editDescription: String
    let editPriorityOptions: [Option]
    /// The goal's links to the organisation goal and the national goal it supports.
    let canAlign: Bool
    let alignGoalOptions: [Option]
    let alignNationalOptions: [Option]
    /// Links beyond the first of each kind (made through the API), kept when the form is saved.
    let keptAlignments: [String]
    let version: Int
    let stale: Stale?
    let comments: [Comment]
    let hasComments: Bool
    let typedComment: String

    /// How many check-ins and comments the page shows (the oldest; the API pages through the rest).
    static let listLimit = 200

    /// Reads everything the page shows, on the read-only path.
    static func load(
        _ id: UUID, web: WebRequest, member: Identity.Member, services: AppServices, typed: FormData? = nil, stale: GoalView? = nil
    ) async throws -> (GoalDetailPage, GoalView) {
        let s = web.strings
        let language = web.language
        // The catalogue first, on its own connection (never while holding the organisation's).
        let catalogue = try await services.catalogue.view(language: language)
        // The goal, its check-ins, its comments and its procurement: one pipeline.
        // Nothing in it depends on who reads but their own support: one cache entry for everyone.
        let read = GoalViews(platform: services.goals.platform).read(id)
            .and(CheckIns.read(goal: id, limit: Self.listLimit)).and(GoalDiscussion.readComments(goal: id, limit: Self.listLimit))
            .and(ProcurementRepository.read(procurementOfGoal: id)).and(GoalRepository.readTransitions(of: id))
            .and(AlignmentChoices.read())
        let found = try await services.readingOrganisation(member, cached: "goal.page|\(id)|\(Self.listLimit)") {
            try await read.read(on: $0)
        }
        let (reads, alignmentGoals) = (found.first, found.second.filter { $0.id != id })
        guard let goal = reads.first.first.first.first[id, seenBy: member.id] else { throw LuotsiError.notFound("goal") }
        let (checkIns, comments) = (reads.first.first.first.second, reads.first.first.second)
        let (procurement, transitions) = (reads.first.second, reads.second)
        let typedAlignments = try typed.map { try AlignmentChoices.chosen(in: $0) }
        let firstGoal = goal.alignments.first { $0.kind == "goal" }?.id
        let firstNational = goal.alignments.first { $0.kind == "catalogue" }?.id
        let chosenAlignments = typedAlignments ?? [firstGoal, firstNational].compactMap { $0 }
        let alignOptions = AlignmentChoices.options(goals: alignmentGoals, catalogue: catalogue, chosen: chosenAlignments, s)
        let nationalNames = Dictionary(
            catalogue.themes.flatMap(\.goals).map { ($0.id, "\($0.code) \($0.name)") }, uniquingKeysWith: { first, _ in first })
        let role = AccessRole(.member(member))
        let policy = GoalPolicy(member)
        let isMember = procurement.map { $0.leadId == member.id || $0.memberIds.contains(member.id) } ?? false
        // The goal's owner follows it up too, whatever their role.
        let canCheckIn = policy.checkInRefusal(status: goal.status, inProcurement: isMember || goal.ownerId == member.id) == nil
        // Scheduling has a page of its own (the schedule needs owner and dates); the rest are buttons here.
        let moves = policy.moves(from: goal.status, level: goal.level).filter { $0 != .scheduled }.sorted { $0.rawValue < $1.rawValue }
        let typedStatus = typed?.text("status") ?? ""
        let typedPriority = typed?.text("priority") ?? goal.priority.map(String.init) ?? ""
        let indicators = goal.indicators.map { indicator in
            Indicator(
                name: indicator.name, unit: indicator.unit.nonEmpty, baseline: Formatting.number(indicator.baseline, language),
                target: Formatting.number(indicator.target, language), latest: Formatting.number(indicator.latestValue, language),
                direction: s["direction_\(indicator.direction)"], fieldName: "indicator-\(indicator.id.uuidString)",
                typed: typed?.raw("indicator-\(indicator.id.uuidString)") ?? "", retired: indicator.retired)
        }
        let page = GoalDetailPage(
            id: goal.id.uuidString, title: goal.title(in: language), description: goal.description.nonEmpty,
            status: StatusBadge(goal.status.rawValue, s),
            level: s["level_\(goal.level.rawValue)"], procurementTitle: procurement?.title,
            procurementHref: procurement.map { "/procurements/\($0.id.uuidString)" },
            catalogueName: goal.catalogueGoal.map { "\($0.code) \($0.name.text(language))" },
            supports: goal.alignments.map { alignment in
                alignment.kind == "goal"
                    ? Link(href: "/goals/\(alignment.id.uuidString)", title: alignment.title)
                    : Link(href: nil, title: nationalNames[alignment.id] ?? alignment.title)
            },
            hasSupports: !goal.alignments.isEmpty,
            contributions: goal.contributions.map { contribution in
                ContributionRow(
                    href: "/goals/\(contribution.goalId.uuidString)", title: contribution.title,
                    procurementHref: contribution.procurementId.map { "/procurements/\($0.uuidString)" },
                    procurementTitle: contribution.procurementTitle ?? "–", status: StatusBadge(contribution.status.rawValue, s),
                    attainment: Formatting.percent(contribution.attainment, language).nonEmpty ?? "–")
            },
            hasContributions: !goal.contributions.isEmpty,
            changedInLatest: goal.catalogueGoal?.changedInLatest ?? false,
            latestCatalogueName: goal.catalogueGoal?.latest.map { $0.name.text(language) },
            owner: goal.ownerName?.nonEmpty, start: Formatting.date(goal.start, language),
            due: Formatting.date(goal.due, language),
            priority: goal.priority.map { s["priority_\($0)"] } ?? s["priority_none"], evaluation: goal.evaluation?.nonEmpty,
            milestones: goal.milestones.map { milestone in
                Milestone(
                    id: milestone.id.uuidString, title: milestone.title, due: Formatting.date(milestone.due, language),
                    done: milestone.done,
                    doneNote: milestone.doneAt.map { at in
                        s.format(
                            "milestone_done_note",
                            ["date": Formatting.dateTime(at, language), "name": milestone.doneByName ?? s["person_unknown"]])
                    },
                    action: milestone.done ? s["milestone_undo"] : s["milestone_mark_done"], setDone: milestone.done ? "0" : "1")
            },
            hasMilestones: !goal.milestones.isEmpty, canTickMilestones: canCheckIn,
            history: transitions.reversed().map { move in
                let step: String
                switch move.from {
                case nil: step = s["history_proposed"]
                case move.to:
                    step = move.planYear.map { s.format("history_plan_year", ["year": "\($0)"]) } ?? s["history_rescheduled"]
                case let from?: step = s.format("history_step", ["from": s["status_\(from)"], "to": s["status_\(move.to)"]])
                }
                // The proposal's entry carries no reason of the person's own.
                return Move(
                    at: Formatting.dateTime(move.at, language), step: step, actor: move.actorName ?? s["person_unknown"],
                    reason: move.from == nil ? nil : move.reason.nonEmpty)
            },
            indicators: indicators, currentIndicators: indicators.filter { !$0.retired },
            hasIndicators: !goal.indicators.isEmpty,
            canEditIndicators: !goal.status.isFinal && policy.maySchedule(level: goal.level),
            reportedAttainment: Formatting.percent(goal.progress.reportedAttainment, language).nonEmpty,
            derivedAttainment: Formatting.percent(goal.progress.derivedAttainment, language).nonEmpty, tasksDone: goal.progress.tasksDone,
            tasksTotal: goal.progress.tasksTotal, supportText: s.counted("support_sentence", goal.supportCount),
            workshopText: goal.workshop.map { s.format("goal_from_workshop", ["title": $0.title]) },
            workshopHref: goal.workshop.map { "/w/\($0.joinCode)" },
            supportedByMe: goal.supportedByMe,
            canDiscuss: Permissions.allows(role, .discussGoal), canCheckIn: canCheckIn,
            checkInStatusOptions: Option.radios("status", CheckIns.statuses.map { ($0, s["status_\($0)"], $0 == typedStatus) }),
            typedAttainment: typed?.raw("attainment") ?? "", typedCheckInComment: typed?.raw("comment") ?? "",
            checkIns: checkIns.reversed().map { checkIn in
                CheckInRow(
                    at: Formatting.dateTime(checkIn.createdAt, language), author: checkIn.authorName,
                    status: StatusBadge(checkIn.status, s), attainment: Formatting.percent(checkIn.attainment, language),
                    phase: checkIn.phase.map { s["phase_\($0)"] } ?? "", comment: checkIn.comment)
            },
            hasCheckIns: !checkIns.isEmpty,
            moves: moves.map { Option(value: $0.rawValue, label: s["move_\($0.rawValue)"], selected: typed?.text("to") == $0.rawValue) },
            canMove: !moves.isEmpty,
            canSchedule: policy.refusal(moving: goal.status, to: .scheduled, level: goal.level) == nil,
            scheduleNote: goal.status == .shortlisted && policy.refusal(moving: goal.status, to: .scheduled, level: goal.level) != nil
                ? s[goal.level == .organisation ? "schedule_by_management" : "schedule_by_leads"] : nil,
            canReschedule: goal.status == .scheduled && Permissions.allows(role, .editGoal)
                && policy.scheduleChangeRefusal(level: goal.level) == nil,
            planYear: goal.planYear,
            canMoveYear: !goal.status.isFinal && policy.maySchedule(level: goal.level),
            yearOptions: ((goal.planYear - 1)...(goal.planYear + 2)).map { year in
                Option(
                    value: "\(year)", label: "\(year)", selected: year == (typed?.text("planYear").flatMap(Int.init) ?? goal.planYear + 1))
            },
            typedReason: typed?.raw("reason") ?? "",
            canEdit: Permissions.allows(role, .editGoal) && !goal.status.isFinal,
            editTitle: typed?.raw("title") ?? goal.title, editDescription: typed?.raw("description") ?? goal.description,
            editPriorityOptions: GoalPages.priorityOptions(selected: typedPriority, s),
            canAlign: true, alignGoalOptions: alignOptions.organisation, alignNationalOptions: alignOptions.national,
            keptAlignments: goal.alignments.map(\.id).filter { $0 != firstGoal && $0 != firstNational }.map(\.uuidString),
            version: (stale ?? goal).version,
            stale: stale.map { current in
                Stale(
                    currentTitle: current.title, currentDescription: current.description,
                    currentPriority: current.priority.map { s["priority_\($0)"] } ?? s["priority_none"],
                    typedTitle: typed?.raw("title") ?? "",
                    typedDescription: typed?.raw("description") ?? "",
                    typedPriority: typed?.text("priority").flatMap(Int.init).map { s["priority_\($0)"] } ?? s["priority_none"])
            },
            comments: comments.map { .init(author: $0.authorName, at: Formatting.dateTime($0.createdAt, language), text: $0.text) },
            hasComments: !comments.isEmpty, typedComment: typed?.raw("text") ?? "")
        return (page, goal)
    }
}

extension Optional {
    /// `map` for an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
