import Foundation
import Hummingbird

/// `/profile` (change one's own password), `/set-password` (with a one-time code, before
/// signing in) and management's "issue a code" on `/users` — over the same `Passwords` service as
/// the API.
struct PasswordPages {
    let services: AppServices
    let pages: PageRenderer

    struct ProfileModel: Sendable {
        let name: String
        let email: String
        let secondFactorOn: Bool
        let enrolment: SecondFactor.Enrolment?
        /// Members only: how often they get the digest, and whether this server sends e-mail.
        let reminders: [NotificationPages.ReminderChoice]?
        let emailOff: Bool
        let hasReminders: Bool
    }

    struct SetPasswordModel: Sendable {
        let organisation: String
        let email: String
    }

    func register(on web: WebRouter) {
        web.signedIn(.get, "/profile") { web, identity in
            pages.response("profile", title: web.strings["profile_title"], page: try await profile(identity, web.strings), web: web)
        }
        web.signedIn(.post, "/profile/second-factor") { web, identity in
            _ = try await services.secondFactor.begin(identity)
            return PageRenderer.redirect("/profile#second-factor")
        }
        web.signedIn(.post, "/profile/second-factor/confirm") { web, identity in
            do {
                let token = try await services.secondFactor.confirm(identity, code: web.form.raw("code"))
                return PageRenderer.redirect("/profile?notice=second_factor_on", cookies: [sessionCookie(token, web)])
            } catch LuotsiError.wrongSecret {
                return pages.response(
                    "profile", title: web.strings["profile_title"], page: try await profile(identity, web.strings), web: web,
                    status: .unprocessableContent, errors: [.init(fieldID: "code", message: web.strings["err_code_second_factor"])])
            }
        }
        web.signedIn(.post, "/profile/second-factor/disable") { web, identity in
            do {
                try await services.secondFactor.disable(identity, password: web.form.raw("password"))
                return PageRenderer.redirect("/profile?notice=second_factor_off")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "password") else { throw error }
                return pages.response(
                    "profile", title: web.strings["profile_title"], page: try await profile(identity, web.strings), web: web,
                    status: .unprocessableContent, errors: errors)
            }
        }
        web.signedIn(.post, "/profile/password") { web, identity in
            do {
                let token = try await services.passwords.change(
                    identity, current: web.form.raw("currentPassword"), new: web.form.raw("newPassword"))
                return PageRenderer.redirect("/profile?notice=password_changed", cookies: [sessionCookie(token, web)])
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "currentPassword") else {
                    throw error
                }
                return pages.response(
                    "profile", title: web.strings["profile_title"], page: try await profile(identity, web.strings), web: web,
                    status: .unprocessableContent,
                    errors: errors)
            }
        }
        web.open(.get, "/set-password") { web, _ in
            pages.response(
                "set-password", title: web.strings["set_password_title"],
                page: SetPasswordModel(
                    organisation: RequestValues.query(web.request, "organisation") ?? "",
                    email: RequestValues.query(web.request, "email") ?? ""),
                web: web)
        }
        web.open(.post, "/set-password") { web, _ in
            let form = web.form
            do {
                try await services.passwords.redeem(
                    organisation: form.text("organisation")?.lowercased() ?? "", email: form.raw("email"), code: form.raw("code"),
                    newPassword: form.raw("newPassword"), address: web.context.clientAddress)
                return PageRenderer.redirect("/?notice=password_set")
            } catch {
                let errors: [PageFrame.FieldError]
                if case LuotsiError.throttled = error {
                    errors = [.init(fieldID: "code", message: web.strings["sign_in_throttled"])]
                } else if let entries = FormErrors.entries(error, strings: web.strings, defaultField: "code") {
                    errors = entries
                } else {
                    throw error
                }
                let model = SetPasswordModel(organisation: form.raw("organisation"), email: form.raw("email"))
                return pages.response(
                    "set-password", title: web.strings["set_password_title"], page: model, web: web, status: .unprocessableContent,
                    errors: errors)
            }
        }
        web.member(.post, "/users/:id/second-factor/reset", .manageUsers) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            try await services.secondFactor.reset(userID: id, by: member)
            return PageRenderer.redirect("/users?notice=second_factor_reset")
        }
        web.member(.post, "/users/:id/password-code/email", .manageUsers) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let mailed = try await services.inOrganisation(member) {
                try await services.passwords.mailCode(
                    for: id, by: member, mail: services.mail, translations: services.translations, platform: services.catalogue.platform,
                    on: $0)
            }
            services.mailWake.signal()
            let notice = web.strings.format(
                "code_mailed", ["email": mailed.sentTo, "expires": Formatting.dateTime(mailed.expiresAt, web.language)])
            return try await UserPages(services: services, pages: pages).show(web, member, typed: nil, errors: [], notice: notice)
        }
        web.member(.post, "/users/:id/password-code", .manageUsers) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let (issued, name) = try await services.inOrganisation(member) { connection in
                (
                    try await services.passwords.issueCode(for: id, by: member, on: connection),
                    try await People.read().read(on: connection).name(id)
                )
            }
            // Shown in this answer only: a code never goes into an address or a log.
            let notice = web.strings.format(
                "code_issued", ["name": name, "code": issued.code, "expires": Formatting.dateTime(issued.expiresAt, web.language)])
            return try await UserPages(services: services, pages: pages).show(web, member, typed: nil, errors: [], notice: notice)
        }
    }

    /// The cookie of the session that replaced every earlier one.
    func sessionCookie(_ token: String, _ web: WebRequest) -> String {
        SessionCookie.set(token, seconds: Int(services.sessions.lifetime.components.seconds), secure: web.secureCookies)
    }

    func profile(_ identity: Identity, _ strings: Strings) async throws -> ProfileModel {
        let secondFactor = try await services.secondFactor.state(identity)
        let user = identity.publicUser
        var reminders: [NotificationPages.ReminderChoice]?
        if case .member(let member) = identity {
            let frequency = try await services.readingOrganisation(member) { try await services.reminders.frequency(of: member.id, on: $0) }
            reminders = NotificationPages.choices(frequency, strings)
        }
        return ProfileModel(
            name: user.name, email: user.email, secondFactorOn: secondFactor.on, enrolment: secondFactor.pending, reminders: reminders,
            emailOff: !services.mail.isOn, hasReminders: reminders != nil)
    }
}
