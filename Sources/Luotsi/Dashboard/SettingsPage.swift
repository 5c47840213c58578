import Foundation
import Hummingbird

/// `/settings` (management): after how many days a scheduled goal is due a check-in, the current
/// planning year, and the year-end roll-over of unfinished goals. The forms post the API's
/// commands (`SettingsInput`, `GoalRollOver`), so the same rules refuse them.
struct SettingsPage {
    let services: AppServices
    let pages: PageRenderer

    struct Model: Sendable {
        let checkinDueDays: String
        let yearOptions: [Option]
        let planningYear: Int
        let nextYear: Int
        let rollOverText: String
        let unfinishedCount: Int
    }

    func register(on web: WebRouter) {
        web.member(.get, "/settings", .manageSettings) { web, member in try await show(web, member) }
        web.member(.post, "/settings", .manageSettings) { web, member in
            let form = web.form
            do {
                let year = try form.text("planningYear").map { text -> Patch<Int> in
                    guard text != "calendar" else { return .null }
                    guard let year = Int(text) else { throw LuotsiError.invalid(field: "planningYear", reason: "must be a year") }
                    return .value(year)
                }
                let input = SettingsInput(checkinDueDays: try form.int("checkinDueDays"), planningYear: year ?? .absent)
                _ = try await services.inOrganisation(member) { try await Settings.update(input, by: member, on: $0) }
                return PageRenderer.redirect("/settings?notice=settings_saved")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "checkinDueDays") else { throw error }
                return try await show(web, member, typed: form, errors: errors)
            }
        }
        web.member(.post, "/settings/rollover", .manageSettings) { web, member in
            let form = web.form
            do {
                guard let from = try form.int("from"), let to = try form.int("to") else {
                    throw LuotsiError.invalid(field: "to", reason: "is required")
                }
                let rollOver = try GoalRollOver(RollOverInput(from: from, to: to, reason: form.text("reason")))
                let makeCurrent = form.text("makeCurrent") == "yes"
                let result = try await services.inOrganisation(member) { connection in
                    let result = try await services.goals.rollOver(rollOver, by: member, on: connection)
                    if makeCurrent {
                        _ = try await Settings.update(
                            SettingsInput(checkinDueDays: nil, planningYear: .value(to)), by: member, on: connection)
                    }
                    return result
                }
                return PageRenderer.redirect("/settings?moved=\(result.goalIds.count)")
            } catch {
                guard FormErrors.entries(error, strings: web.strings, defaultField: "to") != nil else { throw error }
                // The years come from the page itself; what can be wrong is said in one sentence.
                let message = web.strings["rollover_invalid"]
                return try await show(web, member, typed: form, errors: [.init(fieldID: "rollover-reason", message: message)])
            }
        }
    }

    func show(_ web: WebRequest, _ member: Identity.Member, typed: FormData? = nil, errors: [PageFrame.FieldError] = []) async throws
        -> Response
    {
        let s = web.strings
        let read = Settings.readSettings().and(GoalRepository.countUnfinished())
        let found = try await services.readingOrganisation(member) { try await read.read(on: $0) }
        let (settings, unfinished) = (found.first, found.second)
        let current = settings.planningYear
        let chosen = typed?.text("planningYear") ?? (settings.planningYearSet ? "\(current)" : "calendar")
        let count = unfinished[current] ?? 0
        let model = Model(
            checkinDueDays: typed?.raw("checkinDueDays") ?? "\(settings.checkinDueDays)",
            yearOptions: [Option(value: "calendar", label: s["planning_year_calendar"], selected: chosen == "calendar")]
                + ((current - 2)...(current + 2)).map { Option(value: "\($0)", label: "\($0)", selected: chosen == "\($0)") },
            planningYear: current, nextYear: current + 1,
            rollOverText: s.counted("rollover_count", count, ["from": "\(current)", "to": "\(current + 1)"]), unfinishedCount: count)
        let moved = RequestValues.query(web.request, "moved").flatMap(Int.init)
        return pages.response(
            "settings", title: s["settings_title"], page: model, web: web, status: errors.isEmpty ? .ok : .unprocessableContent,
            notice: moved.map { s.counted("notice_rolled_over", $0) }, errors: errors)
    }
}
