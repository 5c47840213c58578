import Foundation
import Hummingbird

/// Which language a page is shown in: `?lang=`, else the signed-in user's profile, else the
/// `luotsi_lang` cookie (the choice made before signing in), else `Accept-Language`, else Finnish.
public enum LanguageChoice {
    public static let cookieName = "luotsi_lang"

    /// The language asked for in the query, if it is one we have.
    static func requested(_ request: Request) -> Language? {
        RequestValues.nonEmptyQuery(request, "lang").flatMap(Language.init(rawValue:))
    }

    public static func resolve(_ request: Request, identity: Identity?) -> Language {
        if let requested = requested(request) { return requested }
        if let profile = identity?.language { return profile }
        if let cookie = request.cookies[cookieName]?.value, let language = Language(rawValue: cookie) { return language }
        return (try? Language.choose(query: nil, acceptLanguage: request.headers[.acceptLanguage])) ?? .fi
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
