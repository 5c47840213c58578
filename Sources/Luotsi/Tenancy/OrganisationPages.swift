import Foundation
import Hummingbird

/// `/platform/organisations` (platform admins): every organisation with its status, creating one
/// with its first management user, suspending and reactivating — through `OrganisationRepository`,
/// as the API. Platform admins see no organisation's own content here.
struct OrganisationPages {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let slug: String
        let name: String
        let status: StatusBadge
        let created: String
        let nextStatus: String
        let actionLabel: String
    }

    struct Model: Sendable {
        let rows: [Row]
        let slug: String
        let name: String
        let managementEmail: String
        let managementName: String
    }

    func register(on web: WebRouter) {
        web.platform(.get, "/platform/organisations", .manageOrganisations) { web, _ in try await show(web, typed: nil, errors: []) }
        web.platform(.post, "/platform/organisations", .manageOrganisations) { web, admin in
            let form = web.form
            do {
                let management: NewUser
                do {
                    management = try NewUser(
                        email: form.raw("managementEmail"), name: form.raw("managementName"), password: form.raw("managementPassword")
                    )
                    .validated()
                } catch LuotsiError.invalid(let field, let reason) {
                    throw LuotsiError.invalid(field: "management" + field.prefix(1).uppercased() + field.dropFirst(), reason: reason)
                }
                _ = try await services.organisations.create(
                    slug: form.text("slug") ?? "", name: form.raw("name"), management: management, by: .admin(admin))
                return PageRenderer.redirect("/platform/organisations?notice=organisation_created")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "slug") else { throw error }
                return try await show(web, typed: form, errors: errors)
            }
        }
        web.platform(.post, "/platform/organisations/:org/status", .manageOrganisations) { web, admin in
            guard let status = web.form.text("status").flatMap(Organisation.Status.init(rawValue:)) else {
                throw LuotsiError.invalid(field: "status", reason: "must be active or suspended")
            }
            _ = try await services.setOrganisationStatus(slug: web.context.parameters.get("org") ?? "", status, by: .admin(admin))
            return PageRenderer.redirect("/platform/organisations?notice=organisation_\(status.rawValue)")
        }
    }

    func show(_ web: WebRequest, typed: FormData?, errors: [PageFrame.FieldError]) async throws -> Response {
        let s = web.strings
        let organisations = try await services.organisations.list()
        let model = Model(
            rows: organisations.map { organisation in
                let next: Organisation.Status = organisation.status == .active ? .suspended : .active
                return Row(
                    slug: organisation.slug, name: organisation.name, status: StatusBadge(organisation.status.rawValue, s),
                    created: Formatting.dateTime(organisation.createdAt, web.language), nextStatus: next.rawValue,
                    actionLabel: s[next == .suspended ? "suspend_button" : "reactivate_button"])
            },
            slug: typed?.raw("slug") ?? "", name: typed?.raw("name") ?? "", managementEmail: typed?.raw("managementEmail") ?? "",
            managementName: typed?.raw("managementName") ?? "")
        return pages.response(
            "platform-organisations", title: s["organisations_title"], page: model, web: web,
            status: errors.isEmpty ? .ok : .unprocessableContent,
            errors: errors)
    }
}
