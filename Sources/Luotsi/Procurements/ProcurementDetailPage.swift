import Foundation
import Hummingbird
import Postgres

/// `/procurements/{id}`: goals, tasks, members, the phase and the impact assessment (targets at
/// the start, achieved at the end), the procurement's details, and new tasks. Edits carry the
/// version they were read at.
struct ProcurementDetailPage {
    let services: AppServices
    let pages: PageRenderer

    /// Which of the page's forms a failed post came from: only that one is filled with what was
    /// typed (the forms share field names such as `title`).
    enum TypedForm {
        case task
        case details
        case phaseAndImpact
    }

    struct MemberChoice: Sendable {
        let id: String
        let name: String
        let checked: Bool
    }

    struct GoalRow: Sendable {
        let href: String
        let title: String
        let status: StatusBadge
    }

    struct TaskRow: Sendable {
        let id: String
        let title: String
        let goal: String
        let assignee: String
        let due: String
        let phase: String
        let status: StatusBadge
        let statusOptions: [Option]
        let canChange: Bool
        /// Leads and management may also reassign.
        let canAssign: Bool
        let assigneeOptions: [Option]
    }

    struct ImpactRow: Sendable {
        let theme: String
        let label: String
        let targetOptions: [Option]
        let achievedOptions: [Option]
        let target: String
        let achieved: String
        let difference: String
    }

    struct Model: Sendable {
        let id: String
        let title: String
        let reference: String?
        let category: String?
        let value: String?
        let phase: String
        let lead: String?
        let members: [String]
        let hasMembers: Bool
        let goals: [GoalRow]
        let hasGoals: Bool
        let tasks: [TaskRow]
        let hasTasks: Bool
        let impact: [ImpactRow]
        let history: [String]
        let canManage: Bool
        let canAddTask: Bool
        let version: Int
        let phaseOptions: [Option]
        let goalOptions: [Option]
        let assigneeOptions: [Option]
        let taskPhaseOptions: [Option]
        let taskTitle: String
        let taskDue: String
        let path: String
        // The details form.
        let detailsOpen: Bool
        let detailsTitle: String
        let detailsReference: String
        let detailsCategory: String
        let detailsValue: String
        let leadOptions: [Option]
        let memberChoices: [MemberChoice]
    }

    func register(on web: WebRouter) {
        web.member(.get, "/procurements/:id", .readOrganisation) { web, member in
            try await show(try RequestValues.uuid(web.context, "id"), web, member)
        }
        web.member(.post, "/procurements/:id/edit", .manageProcurements) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                guard let version = try form.int("version") else { throw LuotsiError.preconditionRequired }
                var target: [String: Int] = [:]
                var achieved: [String: Int] = [:]
                for theme in ImpactInput.themes {
                    if let score = try form.int("impact-target-\(theme)", field: "impact.target.\(theme)") { target[theme] = score }
                    if let score = try form.int("impact-achieved-\(theme)", field: "impact.achieved.\(theme)") { achieved[theme] = score }
                }
                let changes = try ProcurementChanges(
                    phase: form.text("phase").map(Patch.value) ?? .absent, impact: .value(ImpactInput(target: target, achieved: achieved)))
                _ = try await services.inOrganisation(member) {
                    try await services.procurements.update(id, expectedVersion: version, with: changes, by: member, on: $0)
                }
                return PageRenderer.redirect("/procurements/\(id.uuidString)?notice=procurement_saved")
            } catch LuotsiError.preconditionFailed {
                return try await show(
                    id, web, member, typed: form, typedForm: .phaseAndImpact,
                    errors: [.init(fieldID: "phase", message: web.strings["err_stale_procurement"])], status: .conflict)
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "phase") else { throw error }
                return try await show(id, web, member, typed: form, typedForm: .phaseAndImpact, errors: errors)
            }
        }
        // The details: title, reference, category, value, lead and members (`ProcurementChanges`,
        // as the API's PATCH). The form's inputs are `details-…`; errors name the command's fields.
        web.member(.post, "/procurements/:id/details", .manageProcurements) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                guard let version = try form.int("version") else { throw LuotsiError.preconditionRequired }
                let changes = try ProcurementChanges(
                    title: .value(form.raw("details-title")), reference: form.text("details-reference").map(Patch.value) ?? .null,
                    category: form.text("details-category").map(Patch.value) ?? .null,
                    estimatedValue: try form.decimal("details-estimatedValue", field: "estimatedValue").map(Patch.value) ?? .null,
                    leadID: try form.uuid("details-leadId", field: "leadId").map(Patch.value) ?? .null,
                    memberIDs: .value(try form.uuids("details-memberIds", field: "memberIds")))
                _ = try await services.inOrganisation(member) {
                    try await services.procurements.update(id, expectedVersion: version, with: changes, by: member, on: $0)
                }
                return PageRenderer.redirect("/procurements/\(id.uuidString)?notice=procurement_saved")
            } catch LuotsiError.preconditionFailed {
                return try await show(
                    id, web, member, typed: form, typedForm: .details,
                    errors: [.init(fieldID: "details-title", message: web.strings["err_stale_procurement"])], status: .conflict)
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "title", form: "details-") else {
                    throw error
                }
                return try await show(id, web, member, typed: form, typedForm: .details, errors: errors)
            }
        }
    }

    /// How many tasks the page lists (the first added; the API pages through the rest).
    static let taskLimit = 200

    func show(
        _ id: UUID, _ web: WebRequest, _ member: Identity.Member, typed: FormData? = nil, typedForm: TypedForm = .task,
        errors: [PageFrame.FieldError] = [], status: HTTPResponse.Status? = nil
    ) async throws -> Response {
        let s = web.strings
        let language = web.language
        let role = AccessRole(.member(member))
        // The procurement, its tasks, the people and the goals a task may serve: one pipeline, one
        // cache entry for everyone (nothing in it depends on who reads).
        let read = ProcurementRepository.read(id).and(TaskRepository.read(procurement: id, limit: Self.taskLimit))
            .and(People.read()).and(TaskGoalChoices.read(procurement: id))
        let found = try await services.readingOrganisation(member, cached: "procurement.page|\(id)|\(Self.taskLimit)") {
            try await read.read(on: $0)
        }
        guard let procurement = found.first.first.first else { throw LuotsiError.notFound("procurement") }
        let (tasks, directory, goalTitles) = (found.first.first.second, found.first.second, found.second)
        let typedTask = typedForm == .task ? typed : nil
        let typedDetails = typedForm == .details ? typed : nil
        let titleOf = Dictionary(goalTitles.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
        let tasksPolicy = TaskPolicy(member)
        let canUpdateAny = tasksPolicy.changesAnyTask
        let typedPhase = typedForm == .phaseAndImpact ? typed?.text("phase") : nil
        let chosenMembers = Set(typedDetails.map { form in form.all("details-memberIds") } ?? procurement.memberIds.map(\.uuidString))
        let model = Model(
            id: procurement.id.uuidString, title: procurement.title, reference: procurement.reference?.nonEmpty,
            category: procurement.category?.nonEmpty, value: Formatting.euros(procurement.estimatedValue, language).nonEmpty,
            phase: s["phase_\(procurement.phase)"], lead: directory.name(procurement.leadId).nonEmpty,
            members: procurement.memberIds.map { directory.name($0) }.sorted(), hasMembers: !procurement.memberIds.isEmpty,
            goals: procurement.goals.map {
                GoalRow(href: "/goals/\($0.id.uuidString)", title: $0.title, status: StatusBadge($0.status, s))
            },
            hasGoals: !procurement.goals.isEmpty,
            tasks: tasks.map { task in
                TaskRow(
                    id: task.id.uuidString, title: task.title, goal: titleOf[task.goalId] ?? "", assignee: directory.name(task.assigneeId),
                    due: Formatting.date(task.due, language), phase: task.phase.map { s["phase_\($0)"] } ?? "",
                    status: StatusBadge(task.status, s),
                    statusOptions: TaskRepository.statuses.map { Option(value: $0, label: s["status_\($0)"], selected: $0 == task.status) },
                    canChange: tasksPolicy.mayChangeStatus(assignedTo: task.assigneeId),
                    canAssign: canUpdateAny,
                    assigneeOptions: canUpdateAny ? directory.options(selected: task.assigneeId, emptyLabel: s["choose_none"]) : [])
            },
            hasTasks: !tasks.isEmpty,
            impact: ImpactInput.themes.map { theme in
                let current = procurement.impact.first { $0.theme == theme }
                let typedImpact = typedForm == .phaseAndImpact ? typed : nil
                let target = typedImpact?.text("impact-target-\(theme)") ?? current?.target.map(String.init) ?? ""
                let achieved = typedImpact?.text("impact-achieved-\(theme)") ?? current?.achieved.map(String.init) ?? ""
                return ImpactRow(
                    theme: theme, label: s["impact_\(theme)"], targetOptions: Self.scoreOptions(target, s),
                    achievedOptions: Self.scoreOptions(achieved, s),
                    target: current?.target.map(String.init) ?? "–", achieved: current?.achieved.map(String.init) ?? "–",
                    difference: current?.difference.map { $0 > 0 ? "+\($0)" : "\($0)" } ?? "–")
            },
            history: procurement.phaseHistory.map { change in
                "\(Formatting.dateTime(change.at, language)): \(s["phase_\(change.to)"]) (\(directory.name(change.actorId)))"
            },
            canManage: Permissions.allows(role, .manageProcurements),
            canAddTask: Permissions.allows(role, .manageTasks) && !goalTitles.isEmpty,
            version: procurement.version,
            phaseOptions: ProcurementPhase.allCases.map {
                Option(value: $0.rawValue, label: s["phase_\($0.rawValue)"], selected: $0.rawValue == (typedPhase ?? procurement.phase))
            },
            goalOptions: goalTitles.map {
                Option(value: $0.id.uuidString, label: $0.title, selected: typedTask?.text("goalId") == $0.id.uuidString)
            },
            assigneeOptions: directory.options(selected: try? typedTask?.uuid("assigneeId"), emptyLabel: s["choose_none"]),
            taskPhaseOptions: [Option(value: "", label: s["phase_same"], selected: true)]
                + ProcurementPhase.allCases.map { Option(value: $0.rawValue, label: s["phase_\($0.rawValue)"], selected: false) },
            taskTitle: typedTask?.raw("title") ?? "", taskDue: typedTask?.raw("due") ?? "",
            path: "/procurements/\(procurement.id.uuidString)",
            detailsOpen: typedDetails != nil, detailsTitle: typedDetails?.raw("details-title") ?? procurement.title,
            detailsReference: typedDetails?.raw("details-reference") ?? procurement.reference ?? "",
            detailsCategory: typedDetails?.raw("details-category") ?? procurement.category ?? "",
            detailsValue: typedDetails?.raw("details-estimatedValue") ?? procurement.estimatedValue.map { "\($0)" } ?? "",
            leadOptions: directory.options(
                selected: typedDetails.map { try? $0.uuid("details-leadId") } ?? procurement.leadId, emptyLabel: s["choose_none"]),
            memberChoices: directory.users.filter { $0.active || procurement.memberIds.contains($0.id) }.map { person in
                MemberChoice(id: person.id.uuidString, name: person.name, checked: chosenMembers.contains(person.id.uuidString))
            })
        return pages.response(
            "procurement", title: procurement.title, page: model, web: web,
            status: status ?? (errors.isEmpty ? .ok : .unprocessableContent),
            errors: errors)
    }

    static func scoreOptions(_ selected: String, _ s: Strings) -> [Option] {
        [Option(value: "", label: s["score_none"], selected: selected.isEmpty)]
            + (0...2).map { Option(value: "\($0)", label: s["score_\($0)"], selected: selected == "\($0)") }
    }
}
