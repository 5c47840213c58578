/// What every page shows around its own content: language, navigation, who is signed in,
/// the CSRF token for its forms, a notice after a successful post, and form errors.
public struct PageFrame: Sendable {
    public struct NavItem: Sendable {
        let href: String
        let label: String
        let current: Bool
    }

    public struct LanguageLink: Sendable {
        let code: String
        let label: String
        let href: String
        let current: Bool
    }

    /// "Shown in Swedish in this browser; your profile says Finnish": a link keeps the choice.
    public struct LanguageOffer: Sendable {
        let text: String
        let label: String
        let href: String
    }

    /// The short guide of the funnel step a page belongs to, linking to the whole guide.
    public struct Guide: Sendable {
        let title: String
        let summary: String
        let href: String
    }

    /// The link to the person's notifications, with how many are unread.
    public struct NotificationsLink: Sendable {
        let label: String
        let unread: Int?
        let current: Bool
    }

    /// One entry of the error summary, pointing at the field's id.
    public struct FieldError: Sendable {
        let fieldID: String
        let message: String
    }

    let lang: String
    /// The template's name, on `<body data-page>` (for styling and for the template coverage test).
    let template: String
    let title: String
    let nav: [NavItem]
    let languages: [LanguageLink]
    let signedIn: Bool
    let userName: String
    let organisationName: String?
    let roleLabel: String
    let csrf: String
    let notice: String?
    let languageOffer: LanguageOffer?
    let guide: Guide?
    /// Members only.
    let notifications: NotificationsLink?
    let errors: [FieldError]
    /// Stored, not computed: Mustache reads stored properties only.
    let hasErrors: Bool
}

/// The object a template renders: the frame, the language's texts and the page's own model.
struct PageContext<Model: Sendable>: Sendable {
    let frame: PageFrame
    let t: Strings
    let page: Model
}
