import Foundation
import Hummingbird

/// `GET /api/v1/platform/audit` and the page `/platform/audit`: the platform's own audit trail,
/// for platform administrators.
struct PlatformAuditRoutes {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let at: String
        let actor: String
        let action: String
        let target: String
    }

    struct Model: Sendable {
        let rows: [Row]
        let hasRows: Bool
        let nextHref: String?
        let firstHref: String?
    }

    func register(on api: APIRouter) {
        api.platform(.get, "/api/v1/platform/audit", .manageOrganisations) { request, _, _ in
            let page = try PageRequest(request: request)
            return try JSONOutput.response(
                try await PlatformAudit.list(page: page, platform: services.migrator.platformSchema, pool: services.pool))
        }
    }

    func register(on web: WebRouter) {
        web.platform(.get, "/platform/audit", .manageOrganisations) { web, _ in
            let s = web.strings
            let page = try PageRequest(limit: 100, request: web.request)
            let entries = try await PlatformAudit.list(page: page, platform: services.migrator.platformSchema, pool: services.pool)
            let rows = entries.items.map { entry in
                Row(
                    at: Formatting.dateTime(entry.at, web.language), actor: entry.actorEmail,
                    action: s["paudit_\(entry.action.replacingOccurrences(of: ".", with: "_"))"], target: entry.target ?? "")
            }
            let model = Model(
                rows: rows, hasRows: !rows.isEmpty, nextHref: entries.nextCursor.map { "/platform/audit?cursor=\($0)" },
                firstHref: page.after > 0 ? "/platform/audit" : nil)
            return pages.response("platform-audit", title: s["platform_audit_title"], page: model, web: web)
        }
    }
}
