import Foundation
import Hummingbird

/// Procurements (their tasks: `TaskRoutes`).
struct ProcurementRoutes {
    let services: AppServices

    func register(on api: APIRouter) {
        let procurements = services.procurements
        let base = "/api/v1/orgs/:org/procurements"
        api.organisation(.get, base, .readOrganisation) { request, _, member in
            let page = try PageRequest(request: request)
            let phase = try RequestValues.query(request, "phase", oneOf: ProcurementPhase.allCases.map(\.rawValue)).flatMap(
                ProcurementPhase.init)
            return try JSONOutput.response(
                try await services.readingOrganisation(member, cached: ProcurementRepository.listKey(phase: phase, page: page)) {
                    try await procurements.list(phase: phase, page: page, on: $0)
                })
        }
        api.organisation(.post, base, .manageProcurements) { request, _, member in
            let input = try await JSONBody.decode(NewProcurementInput.self, from: request)
            let procurement = try await services.inOrganisation(member) { try await procurements.create(input, by: member, on: $0) }
            return try JSONOutput.response(procurement, status: .created, headers: ETag.headers(version: procurement.version))
        }
        api.organisation(.get, "\(base)/:id", .readOrganisation) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            let procurement = try await services.readingOrganisation(member) { try await procurements.get(id, on: $0) }
            return try JSONOutput.response(procurement, headers: ETag.headers(version: procurement.version))
        }
        api.organisation(.patch, "\(base)/:id", .manageProcurements) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let version = try ETag.expectedVersion(request)
            let changes = try ProcurementChanges(try await JSONBody.decode(ProcurementPatchInput.self, from: request))
            let procurement = try await services.inOrganisation(member) {
                try await procurements.update(id, expectedVersion: version, with: changes, by: member, on: $0)
            }
            return try JSONOutput.response(procurement, headers: ETag.headers(version: procurement.version))
        }
    }
}
