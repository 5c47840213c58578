import Foundation
import HTTPTypes
import Hummingbird

/// The overall picture, settings and CSV exports (the audit trail: `AuditRoutes`).
struct OverviewRoutes {
    let services: AppServices

    func register(on api: APIRouter) {
        api.organisation(.get, "/api/v1/orgs/:org/dashboard", .readOrganisation) { request, _, member in
            let days: Int? = try RequestValues.query(request, "checkinDueDays").map { text in
                guard let days = Int(text), (1...365).contains(days) else {
                    throw LuotsiError.invalid(field: "checkinDueDays", reason: "must be a whole number from 1 to 365")
                }
                return days
            }
            let year = try YearFilter.query(RequestValues.query(request, "year"), fallback: .all)
            return try JSONOutput.response(
                try await services.readingOrganisation(member, cached: "dashboard|\(days.map(String.init) ?? "")|\(year.key)") {
                    try await Dashboard.build(checkinDueDays: days, year: year, on: $0)
                })
        }
        api.organisation(.get, "/api/v1/orgs/:org/settings", .readOrganisation) { _, _, member in
            try JSONOutput.response(try await services.readingOrganisation(member) { try await Settings.read(on: $0) })
        }
        api.organisation(.patch, "/api/v1/orgs/:org/settings", .manageSettings) { request, _, member in
            let input = try await JSONBody.decode(SettingsInput.self, from: request)
            return try JSONOutput.response(
                try await services.inOrganisation(member) { try await Settings.update(input, by: member, on: $0) })
        }
        api.organisation(.get, "/api/v1/orgs/:org/export", .export) { request, _, member in
            guard let what = try RequestValues.query(request, "what", oneOf: CSVExport.kinds) else {
                throw LuotsiError.invalid(field: "what", reason: "is required: goals, checkins or tasks")
            }
            let delimiter =
                try RequestValues.query(request, "delimiter", oneOf: CSVExport.Delimiter.allCases.map(\.rawValue))
                .flatMap(CSVExport.Delimiter.init(rawValue:)) ?? .comma
            let year = try YearFilter.query(RequestValues.query(request, "year"), fallback: .all)
            let csv = try await services.readingOrganisation(member) {
                try await CSVExport.make(what, delimiter: delimiter, year: year, on: $0)
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"\(member.organisation.slug)-\(what).csv\"",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
        }
    }
}
