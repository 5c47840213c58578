import Foundation
import Hummingbird

/// The organisation's audit trail, `/orgs/{org}/audit`.
struct AuditRoutes {
    let services: AppServices

    func register(on api: APIRouter) {
        api.organisation(.get, "/api/v1/orgs/:org/audit", .readAudit) { request, _, member in
            let page = try PageRequest(request: request)
            let entity = try RequestValues.query(request, "entity", oneOf: ["goal", "procurement", "task", "user", "settings", "workshop"])
            let entityID = try RequestValues.query(request, "entityId").map { text in
                guard let id = UUID(uuidString: text) else { throw LuotsiError.invalid(field: "entityId", reason: "must be a UUID") }
                return id
            }
            return try JSONOutput.response(
                try await services.readingOrganisation(member) {
                    try await AuditLog.list(entity: entity, entityID: entityID, page: page, on: $0)
                })
        }
    }
}
