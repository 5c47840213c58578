import Foundation
import Hummingbird

/// The caller's own second factor: `GET /me/second-factor` (is it on), `POST /me/second-factor`
/// (a new key to set up), `POST /me/second-factor/confirm` (turn it on with a code from that key)
/// and `POST /me/second-factor/disable` (turn it off with the password); management's
/// `POST /orgs/{org}/users/{id}/second-factor/reset` for a colleague who lost their phone.
struct SecondFactorRoutes {
    let services: AppServices

    struct Status: Codable, Sendable {
        let on: Bool
    }

    struct ConfirmInput: JSONInput {
        static let fields: Set<String> = ["code"]
        var code: String
    }

    struct DisableInput: JSONInput {
        static let fields: Set<String> = ["password"]
        var password: String
    }

    func register(on api: APIRouter) {
        api.signedIn(.get, "/api/v1/me/second-factor") { _, _, identity in
            try JSONOutput.response(Status(on: try await services.secondFactor.state(identity).on))
        }
        api.signedIn(.post, "/api/v1/me/second-factor") { _, _, identity in
            try JSONOutput.response(try await services.secondFactor.begin(identity), status: .created)
        }
        api.signedIn(.post, "/api/v1/me/second-factor/confirm") { request, context, identity in
            let input = try await JSONBody.decode(ConfirmInput.self, from: request)
            let token = try await services.secondFactor.confirm(identity, code: input.code)
            return try SessionRenewal.response(token, sessions: services.sessions, context: context)
        }
        api.organisation(.post, "/api/v1/orgs/:org/users/:id/second-factor/reset", .manageUsers) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            try await services.secondFactor.reset(userID: id, by: member)
            return JSONOutput.empty()
        }
        api.signedIn(.post, "/api/v1/me/second-factor/disable") { request, _, identity in
            let input = try await JSONBody.decode(DisableInput.self, from: request)
            try await services.secondFactor.disable(identity, password: input.password)
            return JSONOutput.empty()
        }
    }
}
