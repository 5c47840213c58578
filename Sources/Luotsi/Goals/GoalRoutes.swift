import Foundation
import Hummingbird

/// Goals, their funnel moves and discussion, under `/orgs/{org}/goals` (check-ins: `CheckInRoutes`).
struct GoalRoutes {
    let services: AppServices

    func register(on api: APIRouter) {
        let goals = services.goals
        let base = "/api/v1/orgs/:org/goals"
        api.organisation(.get, base, .readOrganisation) { request, _, member in
            let page = try PageRequest(request: request)
            let status = try RequestValues.query(request, "status", oneOf: GoalStatus.allCases.map(\.rawValue)).flatMap(GoalStatus.init)
            let level = try RequestValues.query(request, "level", oneOf: GoalLevel.allCases.map(\.rawValue)).flatMap(GoalLevel.init)
            let procurementID = try RequestValues.query(request, "procurementId").map { text in
                guard let id = UUID(uuidString: text) else { throw LuotsiError.invalid(field: "procurementId", reason: "must be a UUID") }
                return id
            }
            let year = try RequestValues.query(request, "year").map { text in
                guard let year = Int(text) else { throw LuotsiError.invalid(field: "year", reason: "must be a year from 2000 to 2100") }
                return try GoalValidation.planYear(year, field: "year") ?? year
            }
            let key = GoalRepository.listKey(status: status, level: level, procurementID: procurementID, year: year, page: page)
            let list = try await services.readingOrganisation(member, cached: key) {
                try await goals.list(status: status, level: level, procurementID: procurementID, year: year, page: page, on: $0)
            }
            return try JSONOutput.response(list.seen(by: member.id))
        }
        api.organisation(.post, base, .proposeGoal) { request, _, member in
            let goal = try NewGoal(try await JSONBody.decode(NewGoalInput.self, from: request))
            let created = try await services.inOrganisation(member) { try await goals.create(goal, by: member, on: $0) }
            return try JSONOutput.response(created, status: .created, headers: ETag.headers(version: created.version))
        }
        api.organisation(.post, "\(base)/rollover", .manageSettings) { request, _, member in
            let rollOver = try GoalRollOver(try await JSONBody.decode(RollOverInput.self, from: request))
            let result = try await services.inOrganisation(member) { try await goals.rollOver(rollOver, by: member, on: $0) }
            return try JSONOutput.response(result)
        }
        api.organisation(.get, "\(base)/:id", .readOrganisation) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            let read = GoalViews(platform: goals.platform).read(id)
            let views = try await services.readingOrganisation(member, cached: "goal|\(id)") { try await read.read(on: $0) }
            guard let goal = views[id, seenBy: member.id] else { throw LuotsiError.notFound("goal") }
            return try JSONOutput.response(goal, headers: ETag.headers(version: goal.version))
        }
        api.organisation(.patch, "\(base)/:id", .editGoal) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let version = try ETag.expectedVersion(request)
            let changes = try GoalChanges(try await JSONBody.decode(GoalPatchInput.self, from: request))
            let goal = try await services.inOrganisation(member) {
                try await goals.update(id, expectedVersion: version, with: changes, by: member, on: $0)
            }
            return try JSONOutput.response(goal, headers: ETag.headers(version: goal.version))
        }
        api.organisation(.get, "\(base)/:id/transitions", .readOrganisation) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            return try JSONOutput.response(
                Page(
                    items: try await services.readingOrganisation(member) { try await goals.transitions(of: id, viewer: member, on: $0) },
                    nextCursor: nil))
        }
        api.organisation(.post, "\(base)/:id/transitions", .siftGoal) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let move = try GoalMove(try await JSONBody.decode(TransitionInput.self, from: request))
            let goal = try await services.inOrganisation(member) { try await goals.transition(id, move, by: member, on: $0) }
            return try JSONOutput.response(goal, headers: ETag.headers(version: goal.version))
        }
        api.organisation(.patch, "\(base)/:id/milestones/:milestoneId", .checkIn) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let milestoneID = try RequestValues.uuid(context, "milestoneId")
            let input = try await JSONBody.decode(MilestonePatchInput.self, from: request)
            let goal = try await services.inOrganisation(member) {
                try await goals.setMilestone(milestoneID, of: id, done: input.done, by: member, on: $0)
            }
            return try JSONOutput.response(goal, headers: ETag.headers(version: goal.version))
        }
        api.organisation(.post, "\(base)/:id/indicators", .scheduleGoal) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let input = try await JSONBody.decode(NewIndicatorInput.self, from: request)
            let goal = try await services.inOrganisation(member) {
                try await goals.addIndicator(input.indicator, to: id, by: member, on: $0)
            }
            return try JSONOutput.response(goal, status: .created, headers: ETag.headers(version: goal.version))
        }
        api.organisation(.patch, "\(base)/:id/indicators/:indicatorId", .scheduleGoal) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let indicatorID = try RequestValues.uuid(context, "indicatorId")
            let changes = try IndicatorChanges(try await JSONBody.decode(IndicatorPatchInput.self, from: request))
            let goal = try await services.inOrganisation(member) {
                try await goals.changeIndicator(indicatorID, of: id, changes, by: member, on: $0)
            }
            return try JSONOutput.response(goal, headers: ETag.headers(version: goal.version))
        }
        api.organisation(.get, "\(base)/:id/comments", .readOrganisation) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let page = try PageRequest(request: request)
            return try JSONOutput.response(
                try await services.readingOrganisation(member) { try await services.discussion.comments(on: id, page: page, on: $0) })
        }
        api.organisation(.post, "\(base)/:id/comments", .discussGoal) { request, context, member in
            let id = try RequestValues.uuid(context, "id")
            let input = try await JSONBody.decode(CommentInput.self, from: request)
            let comment = try await services.inOrganisation(member) {
                try await services.discussion.addComment(input, on: id, by: member, on: $0)
            }
            return try JSONOutput.response(comment, status: .created)
        }
        api.organisation(.post, "\(base)/:id/support", .discussGoal) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            return try JSONOutput.response(
                try await services.inOrganisation(member) { try await services.discussion.setSupport(true, on: id, by: member, on: $0) })
        }
        api.organisation(.delete, "\(base)/:id/support", .discussGoal) { _, context, member in
            let id = try RequestValues.uuid(context, "id")
            return try JSONOutput.response(
                try await services.inOrganisation(member) { try await services.discussion.setSupport(false, on: id, by: member, on: $0) })
        }
    }
}
