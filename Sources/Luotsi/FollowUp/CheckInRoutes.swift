import Foundation
import Hummingbird

/// Following up a goal: its check-ins, under `/orgs/{org}/goals/{id}/checkins`.
struct CheckInRoutes {
    let services: AppServices

    func register(on api: APIRouter) {
        let base = "/api/v1/orgs/:org/goals"
        api.organisation(.get, "\(base)/:id/checkins", .readOrganisation) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let page = try PageRequest(request: request)
            return try JSONOutput.response(
                try await services.readingOrganisation(member) { try await services.checkIns.list(goalID: id, page: page, on: $0) })
        }
        api.organisation(.post, "\(base)/:id/checkins", .checkIn) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let input = try await JSONBody.decode(CheckInInput.self, from: request)
            let checkIn = try await services.inOrganisation(member) {
                try await services.checkIns.record(input, goalID: id, by: member, on: $0)
            }
            return try JSONOutput.response(checkIn, status: .created)
        }
    }
}
