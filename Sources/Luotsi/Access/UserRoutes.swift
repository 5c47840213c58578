import Foundation
import Hummingbird

/// `GET /orgs/{org}/users` (every member: to pick owners, leads and assignees);
/// `POST /orgs/{org}/users` and `PATCH /orgs/{org}/users/{id}` (management).
struct UserRoutes {
    let services: AppServices

    func register(on api: APIRouter) {
        api.organisation(.get, "/api/v1/orgs/:org/users", .readOrganisation) { request, _, member in
            let page = try PageRequest(request: request)
            return try JSONOutput.response(
                try await services.readingOrganisation(member) { try await services.organisationUsers.list(page: page, on: $0) })
        }
        api.organisation(.post, "/api/v1/orgs/:org/users", .manageUsers) { request, _, member in
            let input = try await JSONBody.decode(NewUserInput.self, from: request)
            let role = try Role.parse(input.role)
            let user = try NewUser(email: input.email, name: input.name, password: input.password).validated()
            let hash = await PasswordHasher.hash(user.password)
            let created = try await services.inOrganisation(member) {
                try await services.organisationUsers.create(user, role: role, passwordHash: hash, by: member, on: $0)
            }
            return try JSONOutput.response(created, status: .created)
        }
        api.organisation(.patch, "/api/v1/orgs/:org/users/:id", .manageUsers) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let input = try await JSONBody.decode(UserPatchInput.self, from: request)
            let (before, updated) = try await services.inOrganisation(member) {
                try await services.organisationUsers.update(id, input, by: member, on: $0)
            }
            // A changed role or a deactivation takes effect at once: the user signs in again.
            if !updated.active || updated.role != before.role {
                try await services.sessions.revokeAll(organisationID: member.organisation.id, userID: id)
            }
            return try JSONOutput.response(updated)
        }
    }
}
