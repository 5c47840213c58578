import Foundation
import Hummingbird

/// The caller's own notifications and digest choice: `GET /me/notifications`,
/// `POST /me/notifications/read`, `GET|PATCH /me/reminders`. Members of an organisation only:
/// platform administrators have none (403).
struct NotificationRoutes {
    let services: AppServices

    struct ReadInput: JSONInput {
        static let fields: Set<String> = ["ids", "all"]
        /// `Patch`: an explicit null is refused, not taken for "not given".
        var ids: Patch<[UUID]>
        var all: Patch<Bool>
    }

    struct RemindersInput: JSONInput {
        static let fields: Set<String> = ["email"]
        var email: String
    }

    struct UnreadCount: Encodable, Sendable {
        let unread: Int
    }

    func register(on api: APIRouter) {
        let notifications = services.notifications
        api.signedIn(.get, "/api/v1/me/notifications") { request, _, identity in
            let member = try Self.member(identity)
            let page = try PageRequest(request: request)
            let unreadOnly = try RequestValues.query(request, "unread", oneOf: ["true", "false"]) == "true"
            return try JSONOutput.response(
                try await services.readingOrganisation(
                    member, cached: "notifications|\(member.id)|\(unreadOnly)|\(page.after)|\(page.limit)"
                ) {
                    try await notifications.list(for: member.id, unreadOnly: unreadOnly, page: page, on: $0)
                })
        }
        api.signedIn(.post, "/api/v1/me/notifications/read") { request, _, identity in
            let member = try Self.member(identity)
            let input = try await JSONBody.decode(ReadInput.self, from: request)
            let selection: NotificationRepository.Selection
            switch (input.ids, input.all) {
            case (.value(let ids), .absent) where ids.count <= 200: selection = .ids(ids)
            case (.value, .absent): throw LuotsiError.invalid(field: "ids", reason: "at most 200 at a time; or all: true")
            case (.absent, .value(true)): selection = .all
            case (.absent, .value(false)), (.absent, .null): throw LuotsiError.invalid(field: "all", reason: "must be true (or give ids)")
            case (.null, _): throw LuotsiError.invalid(field: "ids", reason: "must be a list of notification ids")
            default: throw LuotsiError.invalid(field: "ids", reason: "give either ids or all: true")
            }
            let unread = try await services.inOrganisation(member) { try await notifications.markRead(selection, for: member.id, on: $0) }
            return try JSONOutput.response(UnreadCount(unread: unread))
        }
        api.signedIn(.get, "/api/v1/me/reminders") { _, _, identity in
            let member = try Self.member(identity)
            let frequency = try await services.readingOrganisation(member) { try await services.reminders.frequency(of: member.id, on: $0) }
            return try JSONOutput.response(ReminderSettings(email: frequency, emailConfigured: services.mail.isOn))
        }
        api.signedIn(.patch, "/api/v1/me/reminders") { request, _, identity in
            let member = try Self.member(identity)
            let input = try await JSONBody.decode(RemindersInput.self, from: request)
            guard let frequency = ReminderFrequency(rawValue: input.email) else {
                throw LuotsiError.invalid(field: "email", reason: "must be off, daily or weekly")
            }
            try await services.inOrganisation(member) { try await services.reminders.set(frequency, for: member, on: $0) }
            return try JSONOutput.response(ReminderSettings(email: frequency, emailConfigured: services.mail.isOn))
        }
    }

    static func member(_ identity: Identity) throws -> Identity.Member {
        guard case .member(let member) = identity else {
            throw LuotsiError.forbidden("platform administrators get no notifications or reminders")
        }
        return member
    }
}

/// The outbox as the platform administrator sees it: `GET /platform/mail` (what waits, what was
/// sent, the dead letters) and `POST /platform/mail/{id}/retry`.
struct MailRoutes {
    let services: AppServices

    func register(on api: APIRouter) {
        api.platform(.get, "/api/v1/platform/mail", .manageMail) { _, _, _ in
            try JSONOutput.response(try await services.outbox.status())
        }
        api.platform(.post, "/api/v1/platform/mail/:id/retry", .manageMail) { _, context, admin in
            let id = try RequestValues.uuid(context, "id")
            guard try await services.outbox.retry(id, by: admin) else { throw LuotsiError.notFound("dead letter") }
            services.mailWake.signal()
            return JSONOutput.empty()
        }
    }
}
