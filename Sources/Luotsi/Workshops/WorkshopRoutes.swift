import Foundation
import Hummingbird

/// Workshops under `/orgs/{org}/workshops`: create and list, the board, ideas, votes, phases,
/// merges and decisions. Each change answers the board as the caller now sees it.
struct WorkshopRoutes {
    let services: AppServices

    struct NewWorkshopInput: JSONInput {
        static let fields: Set<String> = [
            "title", "focus", "votesPerPerson", "votesPerIdea", "anonymousIdeas", "guests", "guestLimit", "phaseMinutes",
        ]
        var title: String
        var focus: UUID?
        var votesPerPerson: Int?
        var votesPerIdea: Int?
        var anonymousIdeas: Bool?
        var guests: Bool?
        var guestLimit: Int?
        var phaseMinutes: Int?
    }

    struct IdeaInput: JSONInput {
        static let fields: Set<String> = ["text", "rationale", "anonymous"]
        var text: String
        var rationale: String?
        var anonymous: Bool?
    }

    struct PhaseInput: JSONInput {
        static let fields: Set<String> = ["phase"]
        var phase: String
    }

    struct DecisionInput: JSONInput {
        static let fields: Set<String> = ["to", "reason"]
        var to: String
        var reason: String
    }

    struct MergeInput: JSONInput {
        static let fields: Set<String> = ["into"]
        var into: UUID
    }

    func register(on api: APIRouter) {
        let workshops = services.workshops
        let base = "/api/v1/orgs/:org/workshops"
        api.organisation(.get, base, .readOrganisation) { _, _, member in
            let items = try await services.readingOrganisation(member, cached: "workshops") { try await workshops.list(on: $0) }
            return try JSONOutput.response(Page(items: items, nextCursor: nil))
        }
        api.organisation(.post, base, .runWorkshop) { request, _, member in
            let input = try await JSONBody.decode(NewWorkshopInput.self, from: request)
            let workshop = try NewWorkshop(
                title: input.title, focus: input.focus, votesPerPerson: input.votesPerPerson, votesPerIdea: input.votesPerIdea,
                anonymousIdeas: input.anonymousIdeas, guests: input.guests, guestLimit: input.guestLimit, phaseMinutes: input.phaseMinutes)
            let created = try await services.inOrganisation(member) { try await workshops.create(workshop, by: member, on: $0) }
            return try JSONOutput.response(created, status: .created)
        }
        api.organisation(.get, "\(base)/:id", .readOrganisation) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            return try JSONOutput.response(try await board(id, for: member))
        }
        api.organisation(.post, "\(base)/:id/ideas", .joinWorkshop) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let input = try await JSONBody.decode(IdeaInput.self, from: request)
            try await services.inOrganisation(member) {
                _ = try await workshops.addIdea(
                    text: input.text, rationale: input.rationale, anonymous: input.anonymous, to: id, by: .member(member), on: $0)
            }
            return try JSONOutput.response(try await board(id, for: member), status: .created)
        }
        for (method, add) in [(HTTPRequest.Method.post, true), (.delete, false)] {
            api.organisation(method, "\(base)/:id/ideas/:ideaId/votes", .joinWorkshop) { _, context, member in
                let id = try RequestValues.uuid(context, "id")
                let idea = try RequestValues.uuid(context, "ideaId")
                try await services.inOrganisation(member) { try await workshops.vote(add, on: idea, in: id, by: .member(member), on: $0) }
                return try JSONOutput.response(try await board(id, for: member))
            }
        }
        api.organisation(.post, "\(base)/:id/phase", .runWorkshop) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let input = try await JSONBody.decode(PhaseInput.self, from: request)
            guard let phase = WorkshopPhase(rawValue: input.phase) else {
                throw LuotsiError.invalid(field: "phase", reason: "must be gathering, voting, deciding or closed")
            }
            try await services.inOrganisation(member) {
                try await workshops.setPhase(phase, of: id, by: member, goals: services.goals, on: $0)
            }
            return try JSONOutput.response(try await board(id, for: member))
        }
        api.organisation(.post, "\(base)/:id/ideas/:ideaId/decision", .runWorkshop) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let idea = try RequestValues.uuid(context, "ideaId")
            let input = try await JSONBody.decode(DecisionInput.self, from: request)
            guard let decision = WorkshopDecision(rawValue: input.to) else {
                throw LuotsiError.invalid(field: "to", reason: "must be shortlisted or rejected")
            }
            try await services.inOrganisation(member) {
                try await workshops.decide(idea, decision, reason: input.reason, in: id, by: member, on: $0)
            }
            return try JSONOutput.response(try await board(id, for: member))
        }
        api.organisation(.post, "\(base)/:id/ideas/:ideaId/merge", .runWorkshop) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let idea = try RequestValues.uuid(context, "ideaId")
            let input = try await JSONBody.decode(MergeInput.self, from: request)
            try await services.inOrganisation(member) { try await workshops.merge(idea, into: input.into, in: id, by: member, on: $0) }
            return try JSONOutput.response(try await board(id, for: member))
        }
    }

    /// The board as `member` sees it, through the organisation's read-model cache.
    private func board(_ id: UUID, for member: Identity.Member) async throws -> WorkshopBoard {
        try await services.workshopState(id, in: member.organisation.schema, role: member.databaseRole).seen(by: .member(member))
    }
}
