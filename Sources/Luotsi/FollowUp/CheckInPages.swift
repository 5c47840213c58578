import Foundation
import Hummingbird

/// `POST /goals/{id}/checkins` from the goal page: status, attainment, indicator values and a
/// comment, recorded through the same `CheckIns` service as the API.
struct CheckInPages {
    let services: AppServices
    let pages: PageRenderer

    func register(on web: WebRouter) {
        web.member(.post, "/goals/:id/checkins", .checkIn) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let form = web.form
            do {
                var values: [CheckInInput.IndicatorValue] = []
                for (name, _) in form.values.sorted(by: { $0.key < $1.key }) where name.hasPrefix("indicator-") {
                    guard let indicatorID = UUID(uuidString: String(name.dropFirst("indicator-".count))) else { continue }
                    if let value = try form.decimal(name) { values.append(.init(indicatorId: indicatorID, value: value)) }
                }
                guard let attainment = try form.int("attainment") else {
                    throw LuotsiError.invalid(field: "attainment", reason: "is required")
                }
                let input = CheckInInput(
                    status: form.text("status") ?? "", attainment: attainment, comment: form.text("comment"), indicatorValues: values)
                _ = try await services.inOrganisation(member) { try await services.checkIns.record(input, goalID: id, by: member, on: $0) }
                return PageRenderer.redirect("/goals/\(id.uuidString)?notice=checkin_saved#checkins")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "attainment") else { throw error }
                return try await GoalPage(services: services, pages: pages).show(id, web, member, typed: form, errors: errors)
            }
        }
    }
}
