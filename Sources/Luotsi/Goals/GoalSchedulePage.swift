import Foundation
import Hummingbird

/// `/goals/{id}/schedule`: owner, period, milestones and indicators, then the move to scheduled.
/// Without JavaScript the form has a fixed number of rows; blank rows are ignored.
struct GoalSchedulePage {
    static let rows = 3

    let services: AppServices
    let pages: PageRenderer

    struct MilestoneRow: Sendable {
        let index: Int
        let number: Int
        let title: String
        let due: String
    }

    struct IndicatorRow: Sendable {
        let index: Int
        let number: Int
        let name: String
        let unit: String
        let baseline: String
        let target: String
        let directionOptions: [Option]
        /// Pre-filled from the national goal's indicator it follows.
        let catalogueIndicatorId: String
        let fromCatalogue: Bool
    }

    struct Model: Sendable {
        let id: String
        let title: String
        let status: StatusBadge
        let ownerOptions: [Option]
        let start: String
        let due: String
        let reason: String
        let milestones: [MilestoneRow]
        let indicators: [IndicatorRow]
        /// The rows were pre-filled from the national catalogue.
        let offersCatalogue: Bool
    }

    func register(on web: WebRouter) {
        web.member(.get, "/goals/:id/schedule", .scheduleGoal) { web, member in
            try await show(try RequestValues.uuid(web.context, "id"), web, member, typed: nil, errors: [])
        }
    }

    func show(_ id: UUID, _ web: WebRequest, _ member: Identity.Member, typed: FormData?, errors: [PageFrame.FieldError]) async throws
        -> Response
    {
        let s = web.strings
        let (goal, directory) = try await services.readingOrganisation(member) { connection in
            (try await services.goals.get(id, viewer: member, on: connection), try await People.read().read(on: connection))
        }
        // The national goal's indicators, in the version the goal was adopted from: offered,
        // pre-filled, while the goal has none of its own (read after the organisation's
        // connection is back in the pool, never while holding it).
        let offered: [CatalogueView.Indicator] =
            try await goal.catalogueGoal.asyncMap { reference in
                try await services.catalogue.view(language: web.language, version: reference.version).themes.flatMap(\.goals)
                    .first { $0.id == reference.id }?.indicators ?? []
            } ?? []
        guard GoalPolicy(member).maySchedule(level: goal.level) else {
            throw LuotsiError.forbidden("only management schedules organisation-level goals")
        }
        let owner = (try? typed?.uuid("ownerId")) ?? goal.ownerId ?? member.id
        let current = goal.indicators.filter { !$0.retired }
        let fromCatalogue = current.isEmpty ? offered : []
        let model = Model(
            id: goal.id.uuidString, title: goal.title(in: web.language), status: StatusBadge(goal.status.rawValue, s),
            ownerOptions: directory.options(selected: owner, emptyLabel: nil),
            start: typed?.raw("start") ?? goal.start?.description ?? "", due: typed?.raw("due") ?? goal.due?.description ?? "",
            reason: typed?.raw("reason") ?? "",
            milestones: (0..<Self.rows).map { row in
                let existing = row < goal.milestones.count ? goal.milestones[row] : nil
                return MilestoneRow(
                    index: row, number: row + 1, title: typed?.raw("milestones-\(row)-title") ?? existing?.title ?? "",
                    due: typed?.raw("milestones-\(row)-due") ?? existing?.due.description ?? "")
            },
            indicators: (0..<max(Self.rows, fromCatalogue.count + 1)).map { row in
                let existing = row < current.count ? current[row] : nil
                let national = row < fromCatalogue.count ? fromCatalogue[row] : nil
                // "Stay at the level" has no direction of its own on a goal: it is kept from falling.
                let nationalDirection = national.map { $0.direction == "decrease" ? "decrease" : "increase" }
                let direction = typed?.text("indicators-\(row)-direction") ?? existing?.direction ?? nationalDirection ?? "increase"
                let catalogueID = existing?.catalogueIndicatorId ?? national?.id
                return IndicatorRow(
                    index: row, number: row + 1, name: typed?.raw("indicators-\(row)-name") ?? existing?.name ?? national?.name ?? "",
                    unit: typed?.raw("indicators-\(row)-unit") ?? existing?.unit ?? national?.unit ?? "",
                    baseline: typed?.raw("indicators-\(row)-baseline") ?? existing?.baseline.map { "\($0)" } ?? "",
                    target: typed?.raw("indicators-\(row)-target") ?? existing.map { "\($0.target)" } ?? national?.target.map { "\($0)" }
                        ?? "",
                    directionOptions: ["increase", "decrease"].map {
                        Option(value: $0, label: s["direction_\($0)"], selected: $0 == direction)
                    },
                    catalogueIndicatorId: typed?.raw("indicators-\(row)-catalogueIndicatorId") ?? catalogueID?.uuidString ?? "",
                    fromCatalogue: national != nil)
            },
            offersCatalogue: !fromCatalogue.isEmpty)
        return pages.response(
            "goal-schedule", title: s.format("schedule_title", ["goal": goal.title(in: web.language)]), page: model, web: web,
            status: errors.isEmpty ? .ok : .unprocessableContent, errors: errors)
    }
}
