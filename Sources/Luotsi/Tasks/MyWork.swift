import Foundation
import Postgres

/// What "My work" shows a person: their tasks (overdue first), the procurements they lead or
/// belong to with those procurements' goals, the newest ideas, and the organisation's goals
/// counted by status. One pipeline.
struct MyWork: Sendable {
    struct Task: Sendable {
        let id: UUID
        let title: String
        let due: CalendarDate?
        let status: String
        let procurementID: UUID
        let procurementTitle: String
        let goalID: UUID
        let goalTitle: GoalTitle
    }

    struct Goal: Sendable {
        let id: UUID
        let title: GoalTitle
        let status: String
        let due: CalendarDate?
    }

    struct Procurement: Sendable {
        let id: UUID
        let title: String
        let phase: String
        let goals: [Goal]
    }

    struct Idea: Sendable {
        let id: UUID
        let title: GoalTitle
        let supports: Int
    }

    let today: CalendarDate
    let tasks: [Task]
    let procurements: [Procurement]
    let ideas: [Idea]
    let goalsByStatus: [String: Int]
    /// The goals this person owns and follows up (scheduled), whatever their level.
    let ownedGoals: [Goal]

    static let taskLimit = 200
    static let procurementLimit = 100
    static let ideaLimit = 10

    static func read(for person: UUID) -> PipelinedRead<MyWork> {
        let mine: SQL = """
            SELECT p.id FROM procurements p
            WHERE p.lead_id = \(person) OR EXISTS (SELECT 1 FROM procurement_members m WHERE m.procurement_id = p.id AND m.user_id = \(person))
            ORDER BY p.title LIMIT \(Int32(procurementLimit))
            """
        return PipelinedRead(statements: [
            "SELECT current_date AS today",
            """
            SELECT t.id, t.title, t.due, t.status, p.id AS procurement_id, p.title AS procurement, g.id AS goal_id, g.title AS goal, g.catalogue_name AS goal_catalogue_name
            FROM tasks t JOIN procurements p ON p.id = t.procurement_id JOIN goals g ON g.id = t.goal_id
            WHERE t.assignee_id = \(person)
            ORDER BY (t.status <> 'done' AND t.due < current_date) DESC, t.status = 'done', t.due NULLS LAST, t.title
            LIMIT \(Int32(taskLimit))
            """,
            "SELECT id, title, phase FROM procurements WHERE id IN (\(mine)) ORDER BY title",
            "SELECT id, title, catalogue_name, status, due_date, procurement_id FROM goals WHERE procurement_id IN (\(mine)) ORDER BY due_date NULLS LAST, title",
            """
            SELECT g.id, g.title, g.catalogue_name, (SELECT count(*) FROM goal_supports s WHERE s.goal_id = g.id) + g.guest_supports AS supports
            FROM goals g WHERE g.status = 'idea' ORDER BY g.created_at DESC LIMIT \(Int32(ideaLimit))
            """,
            "SELECT status, count(*) AS n FROM goals GROUP BY status",
            """
            SELECT id, title, catalogue_name, status, due_date FROM goals WHERE owner_id = \(person) AND status = 'scheduled'
            ORDER BY due_date NULLS LAST, title LIMIT \(Int32(procurementLimit))
            """,
        ]) { results in
            var goals: [UUID: [Goal]] = [:]
            for row in try results.at(3) {
                goals[try row.decode("procurement_id"), default: []].append(
                    Goal(
                        id: try row.decode("id"), title: try GoalTitle(row: row), status: try row.decode("status"),
                        due: try row.decode("due_date")))
            }
            return MyWork(
                today: try results.at(0).one().decode("today"),
                tasks: try results.at(1).map {
                    Task(
                        id: try $0.decode("id"), title: try $0.decode("title"), due: try $0.decode("due"), status: try $0.decode("status"),
                        procurementID: try $0.decode("procurement_id"), procurementTitle: try $0.decode("procurement"),
                        goalID: try $0.decode("goal_id"), goalTitle: try GoalTitle(row: $0, title: "goal", name: "goal_catalogue_name"))
                },
                procurements: try results.at(2).map { row in
                    let id: UUID = try row.decode("id")
                    return Procurement(id: id, title: try row.decode("title"), phase: try row.decode("phase"), goals: goals[id] ?? [])
                },
                ideas: try results.at(4).map {
                    Idea(id: try $0.decode("id"), title: try GoalTitle(row: $0), supports: try $0.decode("supports"))
                },
                goalsByStatus: try results.at(5).reduce(into: [:]) { $0[try $1.decode("status")] = try $1.decode("n", as: Int.self) },
                ownedGoals: try results.at(6).map {
                    Goal(
                        id: try $0.decode("id"), title: try GoalTitle(row: $0), status: try $0.decode("status"),
                        due: try $0.decode("due_date"))
                })
        }
    }
}
