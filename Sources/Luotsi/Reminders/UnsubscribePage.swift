import Foundation
import Hummingbird

/// `/unsubscribe/<token>`, the link in every digest: opening it asks to confirm (a link checker
/// that only opens it changes nothing); posting to it, from the page's button or a mail
/// provider's one-click (RFC 8058, `List-Unsubscribe=One-Click`), turns the person's digests off.
/// No sign-in: the signed address names the person. A token that does not verify is 404.
struct UnsubscribePage {
    let services: AppServices
    let pages: PageRenderer

    struct Model: Sendable {
        let action: String
        let done: Bool
        let changed: Bool
    }

    func register(on web: WebRouter) {
        web.signedAddress(.get, "/unsubscribe/:token") { web, _ in
            let token = try await recipient(web)
            return pages.response(
                "unsubscribe", title: web.strings["unsubscribe_title"],
                page: Model(action: "/unsubscribe/\(token.text)", done: false, changed: false), web: web)
        }
        web.signedAddress(.post, "/unsubscribe/:token") { web, _ in
            let token = try await recipient(web)
            let organisation = try await services.organisations.find(slug: token.recipient.organisation)
            let changed = try await services.tenants.withTenant(organisation.schema) {
                try await services.reminders.unsubscribe(token.recipient.person, on: $0)
            }
            return pages.response(
                "unsubscribe", title: web.strings["unsubscribe_title"],
                page: Model(action: "/unsubscribe/\(token.text)", done: true, changed: changed), web: web)
        }
    }

    private func recipient(_ web: WebRequest) async throws -> (text: String, recipient: UnsubscribeLink.Recipient) {
        let text = web.context.parameters.get("token") ?? ""
        guard let recipient = try await services.unsubscribeLinks.verify(text) else { throw LuotsiError.notFound("unsubscribe link") }
        return (text, recipient)
    }
}
