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
        let supportCount: Int
    }

    struct Model: Sendable {
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
            let model = try await services.inOrganisation(member) { connection in
                let today: CalendarDate = try await connection.query("SELECT current_date AS today").one().decode("today")
                let tasks = try await connection.query(
                    """
                    SELECT t.id, t.title, t.due, t.status, p.id AS procurement_id, p.title AS procurement, g.id AS goal_id, g.title AS goal
                    FROM tasks t JOIN procurements p ON p.id = t.procurement_id JOIN goals g ON g.id = t.goal_id
                    WHERE t.assignee_id = \(member.id)
                    ORDER BY (t.status <> 'done' AND t.due < current_date) DESC, t.status = 'done', t.due NULLS LAST, t.title
                    LIMIT 200
                    """
                ).map { row in
                    let due: CalendarDate? = try row.decode("due")
                    let status: String = try row.decode("status")
                    return TaskRow(
                        id: try row.decode("id", as: UUID.self).uuidString, title: try row.decode("title"),
                        procurement: try row.decode("procurement"),
                        procurementHref: "/procurements/\(try row.decode("procurement_id", as: UUID.self).uuidString)",
                        goal: try row.decode("goal"), goalHref: "/goals/\(try row.decode("goal_id", as: UUID.self).uuidString)",
                        due: Formatting.date(due, language), overdue: status != "done" && due.map { $0 < today } == true,
                        status: StatusBadge(status, s),
                        statusOptions: TaskRepository.statuses.map { Option(value: $0, label: s["status_\($0)"], selected: $0 == status) })
                }
                let procurementRows = try await connection.query(
                    """
                    SELECT p.id, p.title, p.phase FROM procurements p
                    WHERE p.lead_id = \(member.id) OR EXISTS (SELECT 1 FROM procurement_members m WHERE m.procurement_id = p.id AND m.user_id = \(member.id))
                    ORDER BY p.title LIMIT 100
                    """)
                let ids: [UUID] = try procurementRows.map { try $0.decode("id") }
                var goalsByProcurement: [UUID: [GoalRow]] = [:]
                for row in try await connection.query(
                    "SELECT id, title, status, due_date, procurement_id FROM goals WHERE procurement_id = ANY(\(ids)) ORDER BY due_date NULLS LAST, title"
                ) {
                    let status: String = try row.decode("status")
                    goalsByProcurement[try row.decode("procurement_id"), default: []].append(
                        GoalRow(
                            href: "/goals/\(try row.decode("id", as: UUID.self).uuidString)", title: try row.decode("title"),
                            status: StatusBadge(status, s), due: Formatting.date(try row.decode("due_date"), language).nonEmpty,
                            canCheckIn: status == GoalStatus.scheduled.rawValue))
                }
                let procurements = try procurementRows.map { row in
                    let id: UUID = try row.decode("id")
                    let goals = goalsByProcurement[id] ?? []
                    return ProcurementCard(
                        href: "/procurements/\(id.uuidString)", title: try row.decode("title"),
                        phase: s["phase_\(try row.decode("phase", as: String.self))"],
                        goals: goals, hasGoals: !goals.isEmpty)
                }
                let ideas = try await connection.query(
                    """
                    SELECT g.id, g.title, (SELECT count(*) FROM goal_supports s WHERE s.goal_id = g.id) AS supports
                    FROM goals g WHERE g.status = 'idea' ORDER BY g.created_at DESC LIMIT 10
                    """
                ).map {
                    IdeaRow(
                        href: "/goals/\(try $0.decode("id", as: UUID.self).uuidString)", title: try $0.decode("title"),
                        supportCount: try $0.decode("supports"))
                }
                let counts = try await connection.query("SELECT status, count(*) AS n FROM goals GROUP BY status").reduce(
                    into: [String: Int]()
                ) {
                    $0[try $1.decode("status")] = try $1.decode("n", as: Int.self)
                }
                return Model(
                    tasks: tasks, hasTasks: !tasks.isEmpty, overdueCount: tasks.filter(\.overdue).count, procurements: procurements,
                    hasProcurements: !procurements.isEmpty, ideas: ideas, hasIdeas: !ideas.isEmpty,
                    statusCounts: GoalStatus.allCases.map { status in
                        StatusCount(
                            status: StatusBadge(status.rawValue, s), count: counts[status.rawValue] ?? 0,
                            href: "/goals?status=\(status.rawValue)")
                    })
            }
            return pages.response("my-work", title: s["my_work_title"], page: model, web: web)
        }
        // A task's status (and, for leads and management, its assignee), from any page that lists it.
        web.member(.post, "/tasks/:id", .updateTask) { web, member in
            let id = try RequestValues.uuid(web.context, "id")
            let status = web.form.text("status")
            let assignee = try web.form.uuid("assigneeId")
            let input = TaskPatchInput(
                title: .absent, status: status.map(Patch.value) ?? .absent, assigneeId: assignee.map(Patch.value) ?? .absent, due: .absent,
                phase: .absent)
            _ = try await services.inOrganisation(member) { try await services.tasks.update(id, with: input, by: member, on: $0) }
            let back = LocalPath.safe(web.form.text("back"))
            return PageRenderer.redirect((back.isEmpty ? "/my-work" : back) + "?notice=task_saved")
        }
    }
}
