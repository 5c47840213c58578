/// Everything a route or a record rule can require. Each API route names exactly one action; the
/// permission table below decides which roles may perform it — the whole truth about roles. The
/// repositories ask the same table for the record-level actions (`scheduleOrganisationGoal`,
/// `updateAnyTask`, `checkInAnyGoal`) and keep only membership facts ("is assigned", "is a member
/// of this procurement") in SQL, never a role name.
public enum Action: String, Sendable, CaseIterable {
    // Inside an organisation
    case readOrganisation  // goals, procurements, tasks, comments, catalogue, dashboard
    case manageUsers
    case manageSettings
    case proposeGoal
    case editGoal
    case siftGoal  // idea → shortlisted | rejected
    case scheduleGoal  // shortlisted → scheduled, → dropped, closing
    case scheduleOrganisationGoal  // the same for organisation-level goals, and their schedule fields
    case discussGoal  // comment, support
    case checkIn  // on goals of procurements one belongs to
    case checkInAnyGoal  // on any scheduled goal
    case manageProcurements
    case manageTasks
    case updateTask  // the status of one's own tasks
    case updateAnyTask  // any task, any field
    case readAudit
    case export
    case runWorkshop  // create one, move its phases, merge and decide ideas (as its facilitator)
    case joinWorkshop  // take part: ideas and votes
    case facilitateAnyWorkshop  // take over a workshop someone else facilitates (one who fell ill)
    // Platform
    case manageOrganisations
    case manageCatalogue
    case readRollup
    case manageMail  // the outbox's dead letters
}

/// The caller's role as the permission table sees it.
public enum AccessRole: String, Sendable, CaseIterable {
    case platformAdmin = "platform_admin"
    case management, lead, staff

    init(_ identity: Identity) {
        switch identity {
        case .platformAdmin: self = .platformAdmin
        case .member(let member):
            switch member.role {
            case .management: self = .management
            case .lead: self = .lead
            case .staff: self = .staff
            }
        }
    }
}

/// The role × action table.
public enum Permissions {
    public static let table: [AccessRole: Set<Action>] = [
        .platformAdmin: [.manageOrganisations, .manageCatalogue, .readRollup, .manageMail],
        .management: [
            .readOrganisation, .manageUsers, .manageSettings, .proposeGoal, .editGoal, .siftGoal, .scheduleGoal, .scheduleOrganisationGoal,
            .discussGoal, .checkIn, .checkInAnyGoal, .manageProcurements, .manageTasks, .updateTask, .updateAnyTask, .readAudit, .export,
            .runWorkshop, .joinWorkshop, .facilitateAnyWorkshop,
        ],
        .lead: [
            .readOrganisation, .proposeGoal, .editGoal, .siftGoal, .scheduleGoal, .discussGoal, .checkIn, .checkInAnyGoal,
            .manageProcurements, .manageTasks, .updateTask, .updateAnyTask, .export, .runWorkshop, .joinWorkshop,
        ],
        .staff: [.readOrganisation, .proposeGoal, .discussGoal, .checkIn, .updateTask, .joinWorkshop],
    ]

    public static func allows(_ role: AccessRole, _ action: Action) -> Bool {
        table[role]?.contains(action) ?? false
    }

    /// The same question for a member of an organisation.
    public static func allows(_ member: Identity.Member, _ action: Action) -> Bool {
        allows(AccessRole(.member(member)), action)
    }
}
