import Foundation
import Hummingbird

/// `/audit` (management): the organisation's audit trail, newest first, a page at a time, with
/// what each change did in short ("status: idea → shortlisted").
struct AuditPage {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let at: String
        let actor: String
        let action: String
        let href: String?
        let entity: String
        let changes: String
    }

    struct Model: Sendable {
        let rows: [Row]
        let hasRows: Bool
        let nextHref: String?
        let firstHref: String?
    }

    func register(on web: WebRouter) {
        web.member(.get, "/audit", .readAudit) { web, member in
            let s = web.strings
            let page = try PageRequest(limit: 100, request: web.request)
            let entries = try await services.readingOrganisation(member) {
                try await AuditLog.list(entity: nil, entityID: nil, page: page, on: $0)
            }
            let rows = entries.items.map { entry in
                Row(
                    at: Formatting.dateTime(entry.at, web.language), actor: entry.actorEmail,
                    action: s["audit_\(entry.action.replacingOccurrences(of: ".", with: "_"))"],
                    href: entry.entityId.flatMap { id in
                        entry.entity == "goal"
                            ? "/goals/\(id.uuidString)" : entry.entity == "procurement" ? "/procurements/\(id.uuidString)" : nil
                    },
                    entity: s["entity_\(entry.entity)"], changes: Self.changes(before: entry.before, after: entry.after))
            }
            let model = Model(
                rows: rows, hasRows: !rows.isEmpty, nextHref: entries.nextCursor.map { "/audit?cursor=\($0)" },
                firstHref: page.after > 0 ? "/audit" : nil)
            return pages.response("audit", title: s["audit_title"], page: model, web: web)
        }
    }

    /// The fields that differ between two JSON summaries, or the new values when there was none before.
    static func changes(before: JSONValue?, after: JSONValue?) -> String {
        guard case .object(let new)? = after else { return "" }
        let old: [String: JSONValue] = if case .object(let old)? = before { old } else { [:] }
        return new.keys.sorted().compactMap { key -> String? in
            let value = text(new[key])
            guard before != nil else { return value.isEmpty ? nil : "\(key): \(value)" }
            let previous = text(old[key])
            return previous == value || key == "version"
                ? nil : "\(key): \(previous.isEmpty ? "–" : previous) → \(value.isEmpty ? "–" : value)"
        }.joined(separator: "; ")
    }

    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text): String(text.prefix(80))
        // `Int(exactly:)`: a whole number beyond Int's range (1e300 from an imported row) is no trap.
        case .number(let number): Int(exactly: number).map(String.init) ?? String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .array(let items): "[\(items.count)]"
        case .object: "{…}"
        case .null, nil: ""
        }
    }
}
