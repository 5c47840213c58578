import Foundation
import Hummingbird

/// Which language a page is shown in: `?lang=`, else the `luotsi_lang` cookie (a choice made in
/// this browser, before signing in or after), else the signed-in person's profile, else
/// `Accept-Language`, else Finnish. A choice made on the sign-in page so carries into the
/// session; it goes into the profile when the person confirms it (`unconfirmed`), as a choice
/// made while signed in does at once.
public enum LanguageChoice {
    public static let cookieName = "luotsi_lang"

    /// The language asked for in the query, if it is one we have.
    static func requested(_ request: Request) -> Language? {
        RequestValues.nonEmptyQuery(request, "lang").flatMap(Language.init(rawValue:))
    }

    public static func resolve(_ request: Request, identity: Identity?) -> Language {
        if let requested = requested(request) { return requested }
        if let chosen = cookie(request) { return chosen }
        if let profile = identity?.language { return profile }
        return (try? Language.choose(query: nil, acceptLanguage: request.headers[.acceptLanguage])) ?? .fi
    }

    /// The language this browser chose when the signed-in person's profile says another: the
    /// pages offer to keep it in the profile.
    static func unconfirmed(_ request: Request, identity: Identity?) -> Language? {
        guard requested(request) == nil, let profile = identity?.language, let chosen = cookie(request), chosen != profile else {
            return nil
        }
        return chosen
    }

    private static func cookie(_ request: Request) -> Language? {
        request.cookies[cookieName].flatMap { Language(rawValue: $0.value) }
    }

    /// The cookie that remembers a choice made before signing in.
    static func cookie(_ language: Language, secure: Bool) -> String {
        "\(cookieName)=\(language.rawValue); Path=/; Max-Age=31536000; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}

extension Identity {
    public var language: Language? {
        switch self {
        case .platformAdmin(let admin): admin.language
        case .member(let member): member.language
        }
    }
}
