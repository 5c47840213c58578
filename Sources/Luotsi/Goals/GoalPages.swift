import Foundation
import Hummingbird

/// The goal list and proposing a goal (`/goals…`). The list is the API's read model
/// (`GoalRepository.list`), read the same way.
struct GoalPages {
    let services: AppServices
    let pages: PageRenderer

    struct ListRow: Sendable {
        let href: String
        let title: String
        let level: String
        let status: StatusBadge
        let owner: String
        let due: String
        let attainment: String
    }

    struct ListPage: Sendable {
        let rows: [ListRow]
        let statusOptions: [Option]
        let levelOptions: [Option]
        let nextHref: String?
        let firstHref: String?
        let empty: Bool
        let canPropose: Bool
    }

    struct NewPage: Sendable {
        let title: String
        let description: String
        let levelOptions: [Option]
        let procurementOptions: [Option]
        let priorityOptions: [Option]
        let themeOptions: [Option]
        let alignGoalOptions: [Option]
        let alignNationalOptions: [Option]
    }

    func register(on web: WebRouter) {
        web.member(.get, "/goals", .readOrganisation) { web, member in
            let status = RequestValues.query(web.request, "status").flatMap(GoalStatus.init(rawValue:))
            let level = RequestValues.query(web.request, "level").flatMap(GoalLevel.init(rawValue:))
            let page = try PageRequest(request: web.request)
            let key = GoalRepository.listKey(status: status, level: level, procurementID: nil, page: page)
            let goals = try await services.readingOrganisation(member, cached: key) {
                try await services.goals.list(status: status, level: level, procurementID: nil, page: page, on: $0)
            }.page
            let s = web.strings
            let filter = [status.map { "status=\($0.rawValue)" }, level.map { "level=\($0.rawValue)" }].compactMap { $0 }
            let rows = goals.items.map { goal in
                ListRow(
                    href: "/goals/\(goal.id.uuidString)", title: goal.title(in: web.language), level: s["level_\(goal.level.rawValue)"],
                    status: StatusBadge(goal.status.rawValue, s), owner: goal.ownerName ?? "",
                    due: Formatting.date(goal.due, web.language),
                    attainment: Formatting.percent(goal.latestCheckin?.attainment, web.language))
            }
            let model = ListPage(
                rows: rows,
                statusOptions: [Option(value: "", label: s["filter_all"], selected: status == nil)]
                    + GoalStatus.allCases.map { Option(value: $0.rawValue, label: s["status_\($0.rawValue)"], selected: $0 == status) },
                levelOptions: [Option(value: "", label: s["filter_all"], selected: level == nil)]
                    + GoalLevel.allCases.map { Option(value: $0.rawValue, label: s["level_\($0.rawValue)"], selected: $0 == level) },
                nextHref: goals.nextCursor.map { "/goals?" + (filter + ["cursor=\($0)"]).joined(separator: "&") },
                firstHref: page.after > 0 ? "/goals" + (filter.isEmpty ? "" : "?" + filter.joined(separator: "&")) : nil,
                empty: rows.isEmpty, canPropose: Permissions.allows(AccessRole(.member(member)), .proposeGoal))
            return pages.response("goals", title: s["goals_title"], page: model, web: web)
        }
        web.member(.get, "/goals/new", .proposeGoal) { web, member in
            let procurementID = RequestValues.query(web.request, "procurementId").flatMap(UUID.init(uuidString:))
            return try await newPage(web, member, form: nil, procurementID: procurementID, errors: [])
        }
        web.member(.post, "/goals", .proposeGoal) { web, member in
            let form = web.form
            do {
                let aligned = try AlignmentChoices.chosen(in: form)
                let input = NewGoalInput(
                    title: form.text("title") ?? "", description: form.text("description"), level: form.text("level") ?? "",
                    procurementId: try form.uuid("procurementId"), catalogueGoalId: nil,
                    alignsTo: aligned.isEmpty ? nil : aligned,
                    priority: try form.int("priority"), themeCode: form.text("themeCode"))
                let newGoal = try NewGoal(input)
                let goal = try await services.inOrganisation(member) { try await services.goals.create(newGoal, by: member, on: $0) }
                return PageRenderer.redirect("/goals/\(goal.id.uuidString)?notice=goal_proposed")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "title") else { throw error }
                return try await newPage(web, member, form: form, procurementID: nil, errors: errors)
            }
        }
    }

    private func newPage(
        _ web: WebRequest, _ member: Identity.Member, form: FormData?, procurementID: UUID?, errors: [PageFrame.FieldError]
    )
        async throws -> Response
    {
        let s = web.strings
        let catalogue = try await services.catalogue.view(language: web.language)
        let read = ProcurementChoices.read().and(AlignmentChoices.read())
        let (procurements, alignmentGoals) = try await services.readingOrganisation(member) {
            let found = try await read.read(on: $0)
            return (found.first, found.second)
        }
        let alignOptions = AlignmentChoices.options(
            goals: alignmentGoals, catalogue: catalogue, chosen: (try? form.map { try AlignmentChoices.chosen(in: $0) }) ?? [], s)
        let chosenProcurement = (try? form?.uuid("procurementId")) ?? procurementID
        let level = form?.text("level") ?? (chosenProcurement != nil ? "procurement" : "organisation")
        let priority = form?.text("priority") ?? ""
        let theme = form?.text("themeCode") ?? ""
        let model = NewPage(
            title: form?.raw("title") ?? "", description: form?.raw("description") ?? "",
            levelOptions: Option.radios("level", GoalLevel.allCases.map { ($0.rawValue, s["level_\($0.rawValue)"], $0.rawValue == level) }),
            procurementOptions: [Option(value: "", label: s["choose_none"], selected: chosenProcurement == nil)]
                + procurements.map { Option(value: $0.id.uuidString, label: $0.title, selected: $0.id == chosenProcurement) },
            priorityOptions: Self.priorityOptions(selected: priority, s),
            themeOptions: [Option(value: "", label: s["choose_none"], selected: theme.isEmpty)]
                + catalogue.themes.map { Option(value: $0.code, label: $0.name, selected: $0.code == theme) },
            alignGoalOptions: alignOptions.organisation, alignNationalOptions: alignOptions.national)
        return pages.response(
            "goal-new", title: s["goal_new_title"], page: model, web: web, status: errors.isEmpty ? .ok : .unprocessableContent,
            errors: errors)
    }

    static func priorityOptions(selected: String, _ s: Strings) -> [Option] {
        [Option(value: "", label: s["priority_none"], selected: selected.isEmpty)]
            + (1...3).map { Option(value: "\($0)", label: s["priority_\($0)"], selected: selected == "\($0)") }
    }
}
