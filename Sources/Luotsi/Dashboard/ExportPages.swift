import Foundation
import Hummingbird
import Postgres

/// `/exports` (CSV downloads through the same `CSVExport` as the API) and `/report`, a printable
/// report of the organisation's goals and attainment (the print stylesheet drops the chrome).
struct ExportPages {
    let services: AppServices
    let pages: PageRenderer

    struct ExportsModel: Sendable {
        let files: [Download]
    }

    struct Download: Sendable {
        let href: String
        let label: String
    }

    struct ReportGoal: Sendable {
        let title: String
        let level: String
        let status: StatusBadge
        let owner: String
        let period: String
        let attainment: String
    }

    struct ReportTheme: Sendable {
        let name: String
        let goals: [ReportGoal]
    }

    struct ReportModel: Sendable {
        let organisation: String
        let date: String
        let headline: String
        let themes: [ReportTheme]
        let attainment: [OverviewPage.Item]
        let hasAttainment: Bool
    }

    func register(on web: WebRouter) {
        web.member(.get, "/exports", .export) { web, _ in
            let s = web.strings
            let files = CSVExport.kinds.map { Download(href: "/exports/\($0).csv", label: s["export_\($0)"]) }
            return pages.response("exports", title: s["exports_title"], page: ExportsModel(files: files), web: web)
        }
        web.member(.get, "/exports/:file", .export) { web, member in
            let file = web.context.parameters.get("file") ?? ""
            guard file.hasSuffix(".csv"), CSVExport.kinds.contains(String(file.dropLast(4))) else { throw LuotsiError.notFound("export") }
            let what = String(file.dropLast(4))
            let delimiter = CSVExport.Delimiter.forLanguage(web.language)
            let csv = try await services.readingOrganisation(member) { try await CSVExport.make(what, delimiter: delimiter, on: $0) }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                    .contentDisposition: "attachment; filename=\"\(member.organisation.slug)-\(what).csv\"",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
        }
        web.member(.get, "/report", .export) { web, member in
            let s = web.strings
            let language = web.language
            let themes = try await services.catalogue.view(language: language).themes
            let read = OverviewPage.read().and(GoalReport.read())
            let found = try await services.readingOrganisation(member) { try await read.read(on: $0) }
            let dashboard = found.first.first
            let overview = OverviewPage(services: services, pages: pages).build(
                web, themes: themes, dashboard: dashboard, status: found.first.second)
            var grouped: [String: [ReportGoal]] = [:]
            for goal in found.second {
                grouped[goal.themeCode ?? "none", default: []].append(
                    ReportGoal(
                        title: goal.title, level: s["level_\(goal.level)"], status: StatusBadge(goal.status, s),
                        owner: goal.ownerName ?? "",
                        period: goal.start == nil && goal.due == nil
                            ? "" : "\(Formatting.date(goal.start, language)) – \(Formatting.date(goal.due, language))",
                        attainment: Formatting.percent(goal.attainment, language)))
            }
            let ordered = themes.map { ($0.code, $0.name) } + [("none", s["theme_none"])]
            let model = ReportModel(
                organisation: member.organisation.name, date: Formatting.date(dashboard.today, language), headline: overview.headline,
                themes: ordered.compactMap { code, name in grouped[code].map { ReportTheme(name: name, goals: $0) } },
                attainment: overview.attainmentRows, hasAttainment: !overview.attainmentRows.isEmpty)
            return pages.response("report", title: s["report_title"], page: model, web: web)
        }
    }
}
