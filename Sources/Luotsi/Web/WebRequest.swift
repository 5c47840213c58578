import Foundation
import Hummingbird

/// What a page handler gets: the request, who is calling, the language and its texts, the
/// CSRF token for its forms and, for a post, the form (already checked for its CSRF token).
public struct WebRequest: Sendable {
    public let request: Request
    public let context: AppRequestContext
    public let identity: Identity?
    public let language: Language
    public let strings: Strings
    public let csrf: String
    public let form: FormData
    /// Cookies to set with the response (the remembered language, the pre-session CSRF token).
    public let cookies: [String]

    /// How many of a member's notifications are unread, for the page frame (nil: not read).
    public var unreadNotifications: Int? = nil

    /// Mark cookies `Secure` and `__Host-`: configured so, or a trusted proxy says the request came over TLS.
    public let secureCookies: Bool

    public var path: String { request.uri.path }

    /// `?notice=` after a redirect names a text key; unknown keys show nothing.
    public var notice: String? {
        guard let key = RequestValues.nonEmptyQuery(request, "notice"), key.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        let text = strings["notice_\(key)"]
        return text.hasPrefix(Strings.missingMarker) ? nil : text
    }
}
