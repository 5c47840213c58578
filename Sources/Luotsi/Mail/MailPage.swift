import Foundation
import Hummingbird

/// `/platform/mail` (platform administrators): how many messages wait and were sent, and the
/// dead letters, each with why it failed and a button to try it again.
struct MailPage {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let id: String
        let recipient: String
        let subject: String
        let attempts: Int
        let error: String
        let at: String
    }

    struct Model: Sendable {
        let summary: String
        let emailOff: Bool
        let server: String?
        let rows: [Row]
        let hasRows: Bool
    }

    func register(on web: WebRouter) {
        web.platform(.get, "/platform/mail", .manageMail) { web, _ in
            let s = web.strings
            let status = try await services.outbox.status()
            let rows = status.deadLetters.map { letter in
                Row(
                    id: letter.id.uuidString.lowercased(), recipient: letter.recipient, subject: letter.subject, attempts: letter.attempts,
                    error: letter.lastError ?? "", at: Formatting.dateTime(letter.deadAt, web.language))
            }
            let summary = s.format(
                "mail_summary", ["waiting": "\(status.waiting)", "sent": "\(status.sentLastDay)", "dead": "\(status.dead)"])
            let model = Model(
                summary: summary, emailOff: !status.emailConfigured, server: services.mail.serverDescription, rows: rows,
                hasRows: !rows.isEmpty)
            return pages.response("platform-mail", title: s["mail_title"], page: model, web: web)
        }
        web.platform(.post, "/platform/mail/:id/retry", .manageMail) { web, admin in
            let id = try RequestValues.uuid(web.context, "id")
            guard try await services.outbox.retry(id, by: admin) else { throw LuotsiError.notFound("dead letter") }
            services.mailWake.signal()
            return PageRenderer.redirect("/platform/mail?notice=mail_retried")
        }
    }
}
