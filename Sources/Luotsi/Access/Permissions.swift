/// Everything a route can require. Each API route names exactly one action; the permission
/// table below decides which roles may perform it. Record-level rules (staff change only their
/// own tasks, follow up only procurements they are members of) live in the repositories.
public enum Action: String, Sendable, CaseIterable {
    // Inside an organisation
    case readOrganisation  // goals, procurements, tasks, comments, catalogue, dashboard
    case manageUsers
    case manageSettings
    case proposeGoal
    case editGoal
    case siftGoal  // idea → shortlisted | rejected
    case scheduleGoal  // shortlisted → scheduled, → dropped, closing (record rule: organisation level needs management)
    case discussGoal  // comment, support
    case checkIn
    case manageProcurements
    case manageTasks
    case updateTask
    case readAudit
    case export
    // Platform
    case manageOrganisations
    case manageCatalogue
    case readRollup
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
        .platformAdmin: [.manageOrganisations, .manageCatalogue, .readRollup],
        .management: [
            .readOrganisation, .manageUsers, .manageSettings, .proposeGoal, .editGoal, .siftGoal, .scheduleGoal, .discussGoal, .checkIn,
            .manageProcurements, .manageTasks, .updateTask, .readAudit, .export,
        ],
        .lead: [
            .readOrganisation, .proposeGoal, .editGoal, .siftGoal, .scheduleGoal, .discussGoal, .checkIn, .manageProcurements,
            .manageTasks, .updateTask, .export,
        ],
        .staff: [.readOrganisation, .proposeGoal, .discussGoal, .checkIn, .updateTask],
    ]

    public static func allows(_ role: AccessRole, _ action: Action) -> Bool {
        table[role]?.contains(action) ?? false
    }
}
