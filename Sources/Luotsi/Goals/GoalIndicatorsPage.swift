import Foundation
import Hummingbird

/// `/goals/{id}/indicators`: add, edit and retire a goal's indicators while it is worked on. Each
/// form posts the API's command (`IndicatorChanges`, `addIndicator`), so the same rules refuse it;
/// a retired indicator keeps the values recorded against it and can be brought back.
struct GoalIndicatorsPage {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let id: String
        let name: String
        let unit: String
        let baseline: String
        let target: String
        let latest: String
        let directionOptions: [Option]
        let retired: Bool
        let retiredNote: String?
    }

    struct Model: Sendable {
        let id: String
        let title: String
        let current: [Row]
        let retired: [Row]
        let hasRetired: Bool
        let new: Row
    }

    func register(on web: WebRouter) {
        web.member(.get, "/goals/:id/indicators", .scheduleGoal) { web, member in
            try await show(try RequestValues.uuid(web.context, "id"), web, member)
        }
        web.member(.post, "/goals/:id/indicators", .scheduleGoal) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                let item = IndicatorInput(
                    name: form.raw("new-name"), unit: form.raw("new-unit"), baseline: try form.decimal("new-baseline", field: "baseline"),
                    target: try form.decimal("new-target", field: "target")
                        ?? { throw LuotsiError.invalid(field: "target", reason: "is required") }(),
                    direction: form.raw("new-direction"), catalogueIndicatorId: nil)
                _ = try await services.inOrganisation(member) { try await services.goals.addIndicator(item, to: id, by: member, on: $0) }
                return PageRenderer.redirect("/goals/\(id.uuidString)/indicators?notice=indicator_added")
            } catch {
                guard
                    let errors = FormErrors.entries(
                        Self.unlisted(error), strings: web.strings, defaultField: "name", form: "new-", messages: "indicators.")
                else {
                    throw error
                }
                return try await show(id, web, member, typed: form, typedRow: "new", errors: errors)
            }
        }
        web.member(.post, "/goals/:id/indicators/:indicatorId", .scheduleGoal) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let indicatorID = try RequestValues.uuid(web.context, "indicatorId")
            let form = web.form
            let prefix = "ind-\(indicatorID.uuidString)-"
            do {
                let changes: IndicatorChanges
                switch form.text("action") {
                case "retire": changes = try IndicatorChanges(retired: true)
                case "restore": changes = try IndicatorChanges(retired: false)
                default:
                    changes = try IndicatorChanges(
                        name: form.raw(prefix + "name"), unit: form.raw(prefix + "unit"),
                        baseline: try form.decimal(prefix + "baseline", field: "baseline").map(Patch.value) ?? .null,
                        target: try form.decimal(prefix + "target", field: "target")
                            ?? { throw LuotsiError.invalid(field: "target", reason: "is required") }(),
                        direction: form.raw(prefix + "direction"))
                }
                _ = try await services.inOrganisation(member) {
                    try await services.goals.changeIndicator(indicatorID, of: id, changes, by: member, on: $0)
                }
                return PageRenderer.redirect("/goals/\(id.uuidString)/indicators?notice=indicator_saved")
            } catch {
                guard
                    let errors = FormErrors.entries(
                        error, strings: web.strings, defaultField: "name", form: prefix, messages: "indicators.")
                else {
                    throw error
                }
                return try await show(id, web, member, typed: form, typedRow: indicatorID.uuidString, errors: errors)
            }
        }
    }

    /// The add form names its fields as the command does, without the list position.
    private static func unlisted(_ error: any Error) -> any Error {
        guard case LuotsiError.invalid(let field, let reason) = error else { return error }
        return LuotsiError.invalid(field: field.replacing(/^indicators\[[0-9]+\]\./, with: ""), reason: reason)
    }

    func show(
        _ id: UUID, _ web: WebRequest, _ member: Identity.Member, typed: FormData? = nil, typedRow: String? = nil,
        errors: [PageFrame.FieldError] = []
    ) async throws -> Response {
        let s = web.strings
        let language = web.language
        let read = GoalViews(platform: services.goals.platform).read(id)
        let views = try await services.readingOrganisation(member, cached: "goal|\(id)") { try await read.read(on: $0) }
        guard let goal = views[id, seenBy: member.id] else { throw LuotsiError.notFound("goal") }
        guard GoalPolicy(member).maySchedule(level: goal.level) else {
            throw LuotsiError.forbidden("only management sets the indicators of organisation-level goals")
        }
        guard !goal.status.isFinal else { throw LuotsiError.conflict("the goal's work is over: its indicators are kept as they were") }
        func value(_ row: String, _ field: String, _ stored: String) -> String {
            guard let typed, typedRow == row else { return stored }
            return typed.raw(row == "new" ? "new-\(field)" : "ind-\(row)-\(field)")
        }
        func directions(_ row: String, _ stored: String) -> [Option] {
            let chosen = value(row, "direction", stored)
            return ["increase", "decrease"].map { Option(value: $0, label: s["direction_\($0)"], selected: $0 == chosen) }
        }
        let rows = goal.indicators.map { indicator in
            let key = indicator.id.uuidString
            return Row(
                id: key, name: value(key, "name", indicator.name), unit: value(key, "unit", indicator.unit),
                baseline: value(key, "baseline", indicator.baseline.map { "\($0)" } ?? ""),
                target: value(key, "target", "\(indicator.target)"),
                latest: Formatting.number(indicator.latestValue, language), directionOptions: directions(key, indicator.direction),
                retired: indicator.retired,
                retiredNote: indicator.retiredAt.map { s.format("indicator_retired_on", ["date": Formatting.dateTime($0, language)]) })
        }
        let model = Model(
            id: goal.id.uuidString, title: goal.title(in: language), current: rows.filter { !$0.retired }, retired: rows.filter(\.retired),
            hasRetired: rows.contains(where: \.retired),
            new: Row(
                id: "new", name: value("new", "name", ""), unit: value("new", "unit", ""), baseline: value("new", "baseline", ""),
                target: value("new", "target", ""), latest: "", directionOptions: directions("new", "increase"), retired: false,
                retiredNote: nil))
        return pages.response(
            "goal-indicators", title: s.format("indicators_page_title", ["goal": goal.title(in: language)]), page: model, web: web,
            status: errors.isEmpty ? .ok : .unprocessableContent, errors: errors)
    }
}
