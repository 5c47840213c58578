import Foundation
import Hummingbird

/// `GET|POST /platform/organisations`, `PATCH /platform/organisations/{org}` (platform admins).
struct PlatformOrganisationRoutes {
    let services: AppServices

    struct CreateInput: JSONInput {
        static let fields: Set<String> = ["slug", "name", "management"]
        static let nestedFields: [String: Set<String>] = ["management": ["email", "name", "password"]]
        struct Management: Codable {
            var email: String
            var name: String
            var password: String
        }

        var slug: String
        var name: String
        var management: Management
    }

    struct StatusInput: JSONInput {
        static let fields: Set<String> = ["status"]
        var status: String
    }

    /// An organisation as platform admins see it: no schema names, no content.
    struct OrganisationOutput: Encodable {
        let id: UUID
        let slug: String
        let name: String
        let status: String
        let createdAt: Date

        init(_ organisation: Organisation) {
            id = organisation.id
            slug = organisation.slug
            name = organisation.name
            status = organisation.status.rawValue
            createdAt = organisation.createdAt
        }
    }

    func register(on api: APIRouter) {
        api.platform(.get, "/api/v1/platform/organisations", .manageOrganisations) { _, _, _ in
            try JSONOutput.response(Page(items: try await services.organisations.list().map(OrganisationOutput.init), nextCursor: nil))
        }
        api.platform(.post, "/api/v1/platform/organisations", .manageOrganisations) { request, _, admin in
            let input = try await JSONBody.decode(CreateInput.self, from: request)
            let management: NewUser
            do {
                management = try NewUser(email: input.management.email, name: input.management.name, password: input.management.password)
                    .validated()
            } catch LuotsiError.invalid(let field, let reason) {
                throw LuotsiError.invalid(field: "management.\(field)", reason: reason)
            }
            let organisation = try await services.organisations.create(
                slug: input.slug, name: input.name, management: management, by: .admin(admin))
            return try JSONOutput.response(OrganisationOutput(organisation), status: .created)
        }
        api.platform(.patch, "/api/v1/platform/organisations/:org", .manageOrganisations) { request, context, admin in
            let input = try await JSONBody.decode(StatusInput.self, from: request)
            guard let status = Organisation.Status(rawValue: input.status) else {
                throw LuotsiError.invalid(field: "status", reason: "must be active or suspended")
            }
            let slug = context.parameters.get("org") ?? ""
            return try JSONOutput.response(
                OrganisationOutput(try await services.setOrganisationStatus(slug: slug, status, by: .admin(admin))))
        }
    }
}
