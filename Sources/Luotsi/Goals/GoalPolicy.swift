import Foundation

/// What one person may do with one goal now: the funnel moves and checking in. The repository
/// refuses with `refusal`, and the pages offer only what it allows, so the two cannot disagree.
/// Which role may do what stays in the permission table (`Permissions`); this adds what depends
/// on the goal itself (its status, its level, the person's procurements).
struct GoalPolicy: Sendable {
    let role: AccessRole

    init(_ member: Identity.Member) { role = AccessRole(.member(member)) }
    init(role: AccessRole) { self.role = role }

    /// Why moving a goal at `level` from `status` to `target` is refused; nil when it is allowed.
    func refusal(moving status: GoalStatus, to target: GoalStatus, level: GoalLevel) -> LuotsiError? {
        guard status.canMove(to: target) else {
            return .conflict("a goal cannot move from \(status.rawValue) to \(target.rawValue)")
        }
        if target.isSifting { return Permissions.allows(role, .siftGoal) ? nil : .forbidden() }
        guard Permissions.allows(role, .scheduleGoal) else { return .forbidden() }
        if level == .organisation, !Permissions.allows(role, .scheduleOrganisationGoal) {
            return .forbidden("only management schedules, drops or closes organisation-level goals")
        }
        return nil
    }

    /// Every move this person may make on a goal at `level` in `status`, in the funnel's order.
    func moves(from status: GoalStatus, level: GoalLevel) -> [GoalStatus] {
        GoalStatus.allCases.filter { refusal(moving: status, to: $0, level: level) == nil }
    }

    /// Whether this person may set the schedule (owner, dates) of a goal at `level`.
    func maySchedule(level: GoalLevel) -> Bool {
        Permissions.allows(role, .scheduleGoal) && (level == .procurement || Permissions.allows(role, .scheduleOrganisationGoal))
    }

    /// Why this person may not change the schedule (owner, dates, milestones, indicators) of a
    /// goal at `level`: an organisation-level goal's is management's, as scheduling it is.
    func scheduleChangeRefusal(level: GoalLevel) -> LuotsiError? {
        level == .organisation && !Permissions.allows(role, .scheduleOrganisationGoal)
            ? .forbidden("only management sets the schedule of organisation-level goals") : nil
    }

    /// Why this person may not check in on a goal in `status`; `inProcurement`: they own the goal,
    /// or lead or belong to its procurement. Nil when they may.
    func checkInRefusal(status: GoalStatus, inProcurement: Bool) -> LuotsiError? {
        guard Permissions.allows(role, .checkIn) else { return .forbidden() }
        if !Permissions.allows(role, .checkInAnyGoal), !inProcurement {
            return .forbidden("your role follows up only the goals you own and those of the procurements you are a member of")
        }
        guard status == .scheduled else { return .conflict("only scheduled goals are followed up") }
        return nil
    }
}
