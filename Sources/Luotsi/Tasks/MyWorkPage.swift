import Foundation
import Hummingbird
import Postgres

/// Staff's home, "My work": my tasks (overdue first) with a status change, the procurements I
/// belong to with their goals and what is due, ideas to discuss, and a way to propose one.
struct MyWorkPage {
    let services: AppServices
    let pages: PageRenderer

    struct TaskRow: Sendable {
        let id: String
        let title: String
        let procurement: String
        let procurementHref: String
        let goal: String
        let goalHref: String
        let due: String
        let overdue: Bool
        let status: StatusBadge
        let statusOptions: [Option]
    }

    struct GoalRow: Sendable {
        let href: String
        let title: String
        let status: StatusBadge
        let due: String?
        let canCheckIn: Bool
    }

    struct ProcurementCard: Sendable {
        let href: String
        let title: String
        let phase: String
        let goals: [GoalRow]
        let hasGoals: Bool
    }

    struct IdeaRow: Sendable {
        let href: String
        let title: String
        let supportText: String
    }

    struct Model: Sendable {
        let ownedGoals: [GoalRow]
        let hasOwnedGoals: Bool
        let tasks: [TaskRow]
        let hasTasks: Bool
        let overdueCount: Int
        let procurements: [ProcurementCard]
        let hasProcurements: Bool
        let ideas: [IdeaRow]
        let hasIdeas: Bool
        let statusCounts: [StatusCount]
    }

    struct StatusCount: Sendable {
        let status: StatusBadge
        let count: Int
        let href: String
    }

    func register(on web: WebRouter) {
        web.member(.get, "/my-work", .readOrganisation) { web, member in
            let s = web.strings
            let language = web.language
            let work = try await services.readingOrganisation(member, cached: "my-work.page|\(member.id)") {
                try await MyWork.read(for: member.id).read(on: $0)
            }
            let tasks = work.tasks.map { task in
                TaskRow(
                    id: task.id.uuidString, title: task.title, procurement: task.procurementTitle,
                    procurementHref: "/procurements/\(task.procurementID.uuidString)", goal: task.goalTitle.text(language),
                    goalHref: "/goals/\(task.goalID.uuidString)", due: Formatting.date(task.due, language),
                    overdue: task.status != "done" && task.due.map { $0 < work.today } == true, status: StatusBadge(task.status, s),
                    statusOptions: TaskRepository.statuses.map { Option(value: $0, label: s["status_\($0)"], selected: $0 == task.status) })
            }
            let policy = GoalPolicy(member)
            let procurements = work.procurements.map { procurement in
                let goals = procurement.goals.map { goal in
                    GoalRow(
                        href: "/goals/\(goal.id.uuidString)", title: goal.title.text(language), status: StatusBadge(goal.status, s),
                        due: Formatting.date(goal.due, language).nonEmpty,
                        // The procurements listed are the person's own.
                        canCheckIn: policy.checkInRefusal(status: GoalStatus(rawValue: goal.status) ?? .idea, inProcurement: true) == nil)
                }
                return ProcurementCard(
                    href: "/procurements/\(procurement.id.uuidString)", title: procurement.title, phase: s["phase_\(procurement.phase)"],
                    goals: goals, hasGoals: !goals.isEmpty)
            }
            let ideas = work.ideas.map {
                IdeaRow(
                    href: "/goals/\($0.id.uuidString)", title: $0.title.text(language), supportText: s.counted("supporters", $0.supports))
            }
            // An owner follows up their own goal, whatever its level.
            let owned = work.ownedGoals.map { goal in
                GoalRow(
                    href: "/goals/\(goal.id.uuidString)", title: goal.title.text(language), status: StatusBadge(goal.status, s),
                    due: Formatting.date(goal.due, language).nonEmpty,
                    canCheckIn: policy.checkInRefusal(status: GoalStatus(rawValue: goal.status) ?? .idea, inProcurement: true) == nil)
            }
            let model = Model(
                ownedGoals: owned, hasOwnedGoals: !owned.isEmpty, tasks: tasks, hasTasks: !tasks.isEmpty,
                overdueCount: tasks.filter(\.overdue).count, procurements: procurements,
                hasProcurements: !procurements.isEmpty, ideas: ideas, hasIdeas: !ideas.isEmpty,
                statusCounts: GoalStatus.allCases.map { status in
                    StatusCount(
                        status: StatusBadge(status.rawValue, s), count: work.goalsByStatus[status.rawValue] ?? 0,
                        href: "/goals?status=\(status.rawValue)")
                })
            return pages.response("my-work", title: s["my_work_title"], page: model, web: web)
        }
    }
}
