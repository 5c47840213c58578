import Foundation
import Hummingbird

/// `/users` (management): the organisation's accounts, adding one, and changing a role or
/// deactivating — through `OrganisationUsers`, as the API. A changed role or a deactivation
/// ends that person's sessions at once.
struct UserPages {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let id: String
        let name: String
        let email: String
        let role: String
        let active: Bool
        let roleOptions: [Option]
        let isMe: Bool
        /// The person has a second factor on: management may turn it off (a lost phone).
        let secondFactorOn: Bool
    }

    struct Model: Sendable {
        let rows: [Row]
        let email: String
        let name: String
        let roleOptions: [Option]
        /// E-mail is set up: a code can be sent instead of handed over.
        let emailOn: Bool
    }

    func register(on web: WebRouter) {
        web.member(.get, "/users", .manageUsers) { web, member in try await show(web, member, typed: nil, errors: []) }
        web.member(.post, "/users", .manageUsers) { web, member in
            let form = web.form
            do {
                let role = try Role.parse(form.text("role") ?? "")
                // Without a password the new colleague gets a one-time code and sets their own:
                // management never needs to know it. (The stand-in password is random and never shown.)
                let chosen = form.raw("password")
                let password = chosen.isEmpty ? Passwords.newCode() + Passwords.newCode() : chosen
                let user = try NewUser(email: form.raw("email"), name: form.raw("name"), password: password).validated()
                let hash = await PasswordHasher.hash(user.password)
                let issued = try await services.inOrganisation(member) { connection -> Passwords.IssuedCode? in
                    let created = try await services.organisationUsers.create(
                        user, role: role, passwordHash: hash, by: member, on: connection)
                    return chosen.isEmpty ? try await services.passwords.issueCode(for: created.id, by: member, on: connection) : nil
                }
                guard let issued else { return PageRenderer.redirect("/users?notice=user_added") }
                let notice = web.strings.format(
                    "code_issued", ["name": user.name, "code": issued.code, "expires": Formatting.dateTime(issued.expiresAt, web.language)])
                return try await show(web, member, typed: nil, errors: [], notice: notice)
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "email") else { throw error }
                return try await show(web, member, typed: form, errors: errors)
            }
        }
        web.member(.post, "/users/:id", .manageUsers) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let input = UserPatchInput(role: web.form.text("role"), active: web.form.text("active") == "on")
            do {
                let (before, updated) = try await services.inOrganisation(member) {
                    try await services.organisationUsers.update(id, input, by: member, on: $0)
                }
                if !updated.active || updated.role != before.role {
                    try await services.sessions.revokeAll(organisationID: member.organisation.id, userID: id)
                }
                return PageRenderer.redirect("/users?notice=user_saved")
            } catch LuotsiError.conflict {
                return try await show(
                    web, member, typed: nil, errors: [.init(fieldID: "role-\(id.uuidString)", message: web.strings["err_last_management"])],
                    status: .conflict)
            }
        }
    }

    func show(
        _ web: WebRequest, _ member: Identity.Member, typed: FormData?, errors: [PageFrame.FieldError], status: HTTPResponse.Status? = nil,
        notice: String? = nil
    ) async throws -> Response {
        let s = web.strings
        let people = try await services.readingOrganisation(member) { try await UserDirectory.read().read(on: $0) }
        let roles = Role.allCases.map(\.rawValue)
        let typedRole = typed?.text("role") ?? Role.staff.rawValue
        let model = Model(
            rows: people.map { entry in
                let user = entry.user
                return Row(
                    id: user.id.uuidString, name: user.name, email: user.email, role: s["role_\(user.role.rawValue)"], active: user.active,
                    roleOptions: roles.map { Option(value: $0, label: s["role_\($0)"], selected: $0 == user.role.rawValue) },
                    isMe: user.id == member.id, secondFactorOn: entry.secondFactorOn)
            },
            email: typed?.raw("email") ?? "", name: typed?.raw("name") ?? "",
            roleOptions: roles.map { Option(value: $0, label: s["role_\($0)"], selected: $0 == typedRole) }, emailOn: services.mail.isOn)
        return pages.response(
            "users", title: s["users_title"], page: model, web: web, status: status ?? (errors.isEmpty ? .ok : .unprocessableContent),
            notice: notice, errors: errors)
    }
}
