/// The session cookie. Over HTTPS it is named `__Host-luotsi_session`: browsers accept a
/// `__Host-` cookie only from this very host, over HTTPS, for the whole site, so a sibling
/// subdomain (or an http:// page on the same name) cannot plant a session or a CSRF cookie
/// beside Luotsi's. Over plain HTTP (a local demo) the prefix is impossible and the name is
/// `luotsi_session`; over HTTPS only the prefixed name is read.
enum SessionCookie {
    static let plainName = "luotsi_session"
    static let hostName = "__Host-luotsi_session"

    static func name(secure: Bool) -> String { secure ? hostName : plainName }

    /// `Set-Cookie` for a new session that lasts `seconds`.
    static func set(_ token: String, seconds: Int, secure: Bool) -> String {
        "\(name(secure: secure))=\(token); Path=/; Max-Age=\(seconds); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that removes the session cookie.
    static func cleared(secure: Bool) -> String {
        "\(name(secure: secure))=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}
