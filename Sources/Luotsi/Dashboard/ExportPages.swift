import Foundation
import Hummingbird
import Postgres

/// `/exports` (CSV downloads through the same `CSVExport` as the API) and `/report`, a printable
/// report of the organisation's goals and attainment (the print stylesheet drops the chrome).
struct ExportPages {
    let services: AppServices
    let pages: PageRenderer

    struct ExportsModel: Sendable {
        let year: YearChoice
        let files: [Download]
        let reportHref: String
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
        let evaluation: String?
        let comments: [ReportComment]
        let hasNotes: Bool
    }

    struct ReportComment: Sendable {
        let at: String
        let author: String
        let status: StatusBadge
        let text: String
    }

    struct ReportTheme: Sendable {
        let name: String
        let goals: [ReportGoal]
    }

    struct ReportModel: Sendable {
        let organisation: String
        let date: String
        let year: YearChoice
        let headline: String
        let statusChart: Charts.Bars
        let themeChart: Charts.Bars
        let attainmentChart: Charts.Line
        let themes: [ReportTheme]
        let attainment: [OverviewPage.Item]
        let hasAttainment: Bool
    }

    func register(on web: WebRouter) {
        web.member(.get, "/exports", .export) { web, member in
            let s = web.strings
            let settings = try await services.readingOrganisation(member) { try await Settings.readSettings().read(on: $0) }
            let year = YearChoice(
                try YearFilter.query(RequestValues.query(web.request, "year"), fallback: .current), current: settings.planningYear, s)
            let files = CSVExport.kinds.map { Download(href: "/exports/\($0).csv?\(year.query)", label: s["export_\($0)"]) }
            return pages.response(
                "exports", title: s["exports_title"], page: ExportsModel(year: year, files: files, reportHref: "/report?\(year.query)"),
                web: web)
        }
        web.member(.get, "/exports/:file", .export) { web, member in
            let file = web.context.parameters.get("file") ?? ""
            guard file.hasSuffix(".csv"), CSVExport.kinds.contains(String(file.dropLast(4))) else { throw LuotsiError.notFound("export") }
            let what = String(file.dropLast(4))
            let delimiter = CSVExport.Delimiter.forLanguage(web.language)
            let year = try YearFilter.query(RequestValues.query(web.request, "year"), fallback: .all)
            let csv = try await services.readingOrganisation(member) {
                try await CSVExport.make(what, delimiter: delimiter, year: year, on: $0)
            }
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
            let filter = try YearFilter.query(RequestValues.query(web.request, "year"), fallback: .current)
            let read = OverviewPage.read(year: filter).and(GoalReport.read(year: filter)).and(Settings.readSettings())
            let found = try await services.readingOrganisation(member) { try await read.read(on: $0) }
            let (pictures, settings) = (found.first, found.second)
            let dashboard = pictures.first.first
            let year = YearChoice(filter, current: settings.planningYear, s)
            let overview = OverviewPage(services: services, pages: pages).build(
                web, themes: themes, dashboard: dashboard, status: pictures.first.second, year: year)
            var grouped: [String: [ReportGoal]] = [:]
            for goal in pictures.second {
                grouped[goal.themeCode ?? "none", default: []].append(
                    ReportGoal(
                        title: goal.title.text(language), level: s["level_\(goal.level)"], status: StatusBadge(goal.status, s),
                        owner: goal.ownerName ?? "",
                        period: goal.start == nil && goal.due == nil
                            ? "" : "\(Formatting.date(goal.start, language)) – \(Formatting.date(goal.due, language))",
                        attainment: Formatting.percent(goal.attainment, language), evaluation: goal.evaluation?.nonEmpty,
                        comments: goal.comments.map {
                            ReportComment(
                                at: Formatting.dateTime($0.at, language), author: $0.author, status: StatusBadge($0.status, s),
                                text: $0.text)
                        },
                        hasNotes: goal.evaluation?.nonEmpty != nil || !goal.comments.isEmpty))
            }
            let ordered = themes.map { ($0.code, $0.name) } + [("none", s["theme_none"])]
            let model = ReportModel(
                organisation: member.organisation.name, date: Formatting.date(dashboard.today, language), year: year,
                headline: overview.headline, statusChart: overview.statusChart, themeChart: overview.themeChart,
                attainmentChart: overview.attainment,
                themes: ordered.compactMap { code, name in grouped[code].map { ReportTheme(name: name, goals: $0) } },
                attainment: overview.attainmentRows, hasAttainment: !overview.attainmentRows.isEmpty)
            return pages.response("report", title: s["report_title"], page: model, web: web)
        }
    }
}
