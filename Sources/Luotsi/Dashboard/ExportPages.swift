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
            let model = try await services.inOrganisation(member) { connection in
                let overview = try await OverviewPage(services: services, pages: pages).build(web, themes: themes, on: connection)
                let directory = try await Directory.load(on: connection)
                let rows = try await connection.query(
                    """
                    SELECT g.title, g.level, g.status, g.theme_code, g.owner_id, g.start_date, g.due_date,
                           (SELECT attainment FROM checkins c WHERE c.goal_id = g.id ORDER BY c.seq DESC LIMIT 1) AS attainment
                    FROM goals g WHERE g.status NOT IN ('idea', 'rejected') ORDER BY g.theme_code NULLS LAST, g.level, g.title LIMIT 2000
                    """)
                var grouped: [String: [ReportGoal]] = [:]
                for row in rows {
                    let start: CalendarDate? = try row.decode("start_date")
                    let due: CalendarDate? = try row.decode("due_date")
                    grouped[try row.decode("theme_code", as: String?.self) ?? "none", default: []].append(
                        ReportGoal(
                            title: try row.decode("title"), level: s["level_\(try row.decode("level", as: String.self))"],
                            status: StatusBadge(try row.decode("status"), s), owner: directory.name(try row.decode("owner_id")),
                            period: start == nil && due == nil
                                ? "" : "\(Formatting.date(start, language)) – \(Formatting.date(due, language))",
                            attainment: Formatting.percent(try row.decode("attainment", as: Int?.self), language)))
                }
                let ordered = themes.map { ($0.code, $0.name) } + [("none", s["theme_none"])]
                return ReportModel(
                    organisation: member.organisation.name,
                    date: Formatting.date(try await connection.query("SELECT current_date AS d").one().decode("d"), language),
                    headline: overview.headline,
                    themes: ordered.compactMap { code, name in grouped[code].map { ReportTheme(name: name, goals: $0) } },
                    attainment: overview.attainmentRows, hasAttainment: !overview.attainmentRows.isEmpty)
            }
            return pages.response("report", title: s["report_title"], page: model, web: web)
        }
    }
}
