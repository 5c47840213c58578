import Foundation
import Hummingbird

/// `/notifications`: what concerns the person, newest first, unread ones marked; mark one or
/// all read. `/profile` carries the digest choice (`POST /profile/reminders`).
struct NotificationPages {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let id: String
        let text: String
        let reason: String?
        let href: String
        let at: String
        let unread: Bool
    }

    struct Model: Sendable {
        let rows: [Row]
        let hasRows: Bool
        let hasUnread: Bool
        let nextHref: String?
        let firstHref: String?
    }

    struct ReminderChoice: Sendable {
        let id: String
        let value: String
        let label: String
        let selected: Bool
    }

    func register(on web: WebRouter) {
        web.member(.get, "/notifications", .readOrganisation) { web, member in
            let s = web.strings
            let page = try PageRequest(limit: 50, request: web.request)
            let list = try await services.readingOrganisation(member, cached: "notifications|\(member.id)|false|\(page.after)|50") {
                try await services.notifications.list(for: member.id, page: page, on: $0)
            }
            let rows = list.items.map { item in
                Row(
                    id: item.id.uuidString.lowercased(), text: NotificationText.sentence(item, s),
                    reason: item.reason.flatMap { $0.isEmpty ? nil : $0 }, href: item.path,
                    at: Formatting.dateTime(item.createdAt, web.language), unread: !item.read)
            }
            let model = Model(
                rows: rows, hasRows: !rows.isEmpty, hasUnread: rows.contains(where: \.unread),
                nextHref: list.nextCursor.map { "/notifications?cursor=\($0)" }, firstHref: page.after > 0 ? "/notifications" : nil)
            return pages.response("notifications", title: s["notifications_title"], page: model, web: web)
        }
        web.member(.post, "/notifications/read", .readOrganisation) { web, member in
            let selection: NotificationRepository.Selection
            if web.form.raw("all") == "1" {
                selection = .all
            } else if let id = UUID(uuidString: web.form.raw("id")) {
                selection = .ids([id])
            } else {
                throw LuotsiError.invalid(field: "id", reason: "names no notification")
            }
            _ = try await services.inOrganisation(member) { try await services.notifications.markRead(selection, for: member.id, on: $0) }
            return PageRenderer.redirect("/notifications")
        }
        web.member(.post, "/profile/reminders", .readOrganisation) { web, member in
            guard let frequency = ReminderFrequency(rawValue: web.form.raw("email")) else {
                throw LuotsiError.invalid(field: "email", reason: "must be off, daily or weekly")
            }
            try await services.inOrganisation(member) { try await services.reminders.set(frequency, for: member, on: $0) }
            return PageRenderer.redirect("/profile?notice=reminders_saved#reminders")
        }
    }

    /// The profile's digest choices, the person's own selected.
    static func choices(_ current: ReminderFrequency, _ strings: Strings) -> [ReminderChoice] {
        [
            (ReminderFrequency.weekly, strings["reminders_weekly"]), (.daily, strings["reminders_daily"]),
            (.off, strings["reminders_off"]),
        ].map { frequency, label in
            ReminderChoice(id: "email-\(frequency.rawValue)", value: frequency.rawValue, label: label, selected: frequency == current)
        }
    }
}
