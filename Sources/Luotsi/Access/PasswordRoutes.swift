import Foundation
import Hummingbird

/// `POST /me/password` (change one's own), `POST /orgs/{org}/users/{id}/password-code` (management
/// issues a one-time code) and `POST /auth/password-code` (set a password with a code).
struct PasswordRoutes {
    let services: AppServices

    struct ChangeInput: JSONInput {
        static let fields: Set<String> = ["currentPassword", "newPassword"]
        var currentPassword: String
        var newPassword: String
    }

    struct RedeemInput: JSONInput {
        static let fields: Set<String> = ["organisation", "email", "code", "newPassword"]
        var organisation: String
        var email: String
        var code: String
        var newPassword: String
    }

    func register(on api: APIRouter) {
        api.signedIn(.post, "/api/v1/me/password") { request, context, identity in
            let input = try await JSONBody.decode(ChangeInput.self, from: request)
            let token = try await services.passwords.change(identity, current: input.currentPassword, new: input.newPassword)
            return try SessionRenewal.response(token, sessions: services.sessions, context: context)
        }
        api.organisation(.post, "/api/v1/orgs/:org/users/:id/password-code", .manageUsers) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            let issued = try await services.inOrganisation(member) { try await services.passwords.issueCode(for: id, by: member, on: $0) }
            return try JSONOutput.response(issued, status: .created)
        }
        api.organisation(.post, "/api/v1/orgs/:org/users/:id/password-code/email", .manageUsers) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            let mailed = try await services.inOrganisation(member) {
                try await services.passwords.mailCode(
                    for: id, by: member, mail: services.mail, translations: services.translations, platform: services.catalogue.platform,
                    on: $0)
            }
            services.mailWake.signal()
            return try JSONOutput.response(mailed, status: .accepted)
        }
        api.open(.post, "/api/v1/auth/password-code") { request, context, _ in
            let input = try await JSONBody.decode(RedeemInput.self, from: request)
            try await services.passwords.redeem(
                organisation: input.organisation, email: input.email, code: input.code, newPassword: input.newPassword,
                address: context.clientAddress)
            return JSONOutput.empty()
        }
    }
}
