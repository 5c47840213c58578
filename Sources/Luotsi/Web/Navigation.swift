/// The service navigation of each role and the language menu.
enum Navigation {
    /// (path, text key) per role, the role's home first.
    static func items(for identity: Identity?) -> [(String, String)] {
        guard let identity else { return [] }
        switch AccessRole(identity) {
        case .platformAdmin:
            return [
                ("/platform/organisations", "nav_organisations"), ("/platform/catalogue", "nav_catalogue_editor"),
                ("/platform/rollup", "nav_rollup"), ("/platform/audit", "nav_platform_audit"), ("/platform/mail", "nav_mail"),
                ("/help", "nav_help"),
            ]
        case .management:
            return [
                ("/overview", "nav_overview"), ("/funnel", "nav_funnel"), ("/goals", "nav_goals"), ("/procurements", "nav_procurements"),
                ("/workshops", "nav_workshops"), ("/catalogue", "nav_catalogue"), ("/users", "nav_users"), ("/settings", "nav_settings"),
                ("/audit", "nav_audit"),
                ("/exports", "nav_exports"), ("/help", "nav_help"),
            ]
        case .lead:
            return [
                ("/next-actions", "nav_next_actions"), ("/funnel", "nav_funnel"), ("/goals", "nav_goals"),
                ("/procurements", "nav_procurements"), ("/my-work", "nav_my_work"), ("/workshops", "nav_workshops"),
                ("/overview", "nav_overview"),
                ("/catalogue", "nav_catalogue"), ("/exports", "nav_exports"), ("/help", "nav_help"),
            ]
        case .staff:
            return [
                ("/my-work", "nav_my_work"), ("/funnel", "nav_funnel"), ("/goals", "nav_goals"), ("/procurements", "nav_procurements"),
                ("/workshops", "nav_workshops"), ("/overview", "nav_overview"), ("/catalogue", "nav_catalogue"), ("/help", "nav_help"),
            ]
        }
    }

    /// Where `/` sends a signed-in person.
    static func home(for identity: Identity) -> String { items(for: identity).first?.0 ?? "/" }

    /// Each language named in itself.
    static let languageNames: [(Language, String)] = [(.fi, "Suomeksi"), (.sv, "På svenska"), (.en, "In English")]
    /// Each language's name, in the page's language ("ruotsi", "svenska", "Swedish").
    static let languageNameKeys: [Language: String] = [.fi: "language_name_fi", .sv: "language_name_sv", .en: "language_name_en"]

    /// "Notifications (3)" for a member; the count is left out when none are unread.
    static func notificationsLink(_ web: WebRequest) -> PageFrame.NotificationsLink? {
        guard case .member = web.identity else { return nil }
        let unread = web.unreadNotifications ?? 0
        return PageFrame.NotificationsLink(
            label: unread > 0 ? web.strings.counted("notifications_link_unread", unread) : web.strings["notifications_link"],
            unread: unread > 0 ? unread : nil, current: web.path == "/notifications")
    }

    static func frame(
        template: String, title: String, web: WebRequest, notice: String?, errors: [PageFrame.FieldError], guide: PageFrame.Guide? = nil
    ) -> PageFrame {
        let path = web.path
        // The most specific item that is the path or a prefix of it is the current one.
        let current = items(for: web.identity).map(\.0).filter { path == $0 || path.hasPrefix($0 + "/") }.max { $0.count < $1.count }
        let nav = items(for: web.identity).map { href, key in
            PageFrame.NavItem(href: href, label: web.strings[key], current: href == current)
        }
        // The address of a not-found page is whatever was asked for (`//evil.example/x`).
        let here = LocalPath.safe(path).nonEmpty ?? "/"
        let languages = languageNames.map { language, name in
            PageFrame.LanguageLink(
                code: language.rawValue, label: name, href: "\(here)?lang=\(language.rawValue)", current: language == web.language)
        }
        var userName = ""
        var organisationName = ""
        var roleLabel = ""
        switch web.identity {
        case .member(let member):
            userName = member.name
            organisationName = member.organisation.name
            roleLabel = web.strings["role_\(member.role.rawValue)"]
        case .platformAdmin(let admin):
            userName = admin.name
            roleLabel = web.strings["role_platform_admin"]
        case nil: break
        }
        // A language chosen in this browser that the profile does not say yet: offer to keep it
        // there (following the link is choosing it while signed in, which saves it).
        let offer = LanguageChoice.unconfirmed(web.request, identity: web.identity).flatMap { chosen in
            web.identity?.language.map { profile in
                PageFrame.LanguageOffer(
                    text: web.strings.format("language_offer", ["profile": web.strings[languageNameKeys[profile] ?? ""]]),
                    label: web.strings["language_offer_save"], href: "\(here)?lang=\(chosen.rawValue)")
            }
        }
        return PageFrame(
            lang: web.language.rawValue, template: template, title: title, nav: nav, languages: languages, signedIn: web.identity != nil,
            userName: userName,
            organisationName: organisationName.nonEmpty, roleLabel: roleLabel, csrf: web.csrf, notice: notice ?? web.notice,
            languageOffer: offer, guide: web.identity == nil ? nil : guide, notifications: notificationsLink(web), errors: errors,
            hasErrors: !errors.isEmpty)
    }
}
