import Foundation
import Postgres

/// Builds `GoalView`s for a set of goals with a fixed number of queries, whatever their count.
struct GoalViews {
    let platform: SchemaName

    func load(_ ids: [UUID], viewer: Identity.Member, on connection: TenantConnection) async throws -> [UUID: GoalView] {
        guard !ids.isEmpty else { return [:] }
        return try assemble(try await connection.pipeline(statements(idSet: "SELECT unnest(\(ids)::uuid[])"))[...]).seen(by: viewer.id)
    }

    /// The view of one goal as every viewer would see it but for their own support (see
    /// `GoalViewSet.seen(by:)`), as a read to pipeline with others.
    func read(_ id: UUID) -> PipelinedRead<GoalViewSet> {
        read(idSet: "SELECT unnest(\([id])::uuid[])")
    }

    /// The views of the goals `idSet` (a query of ids) selects, as a read to pipeline with others.
    func read(idSet: SQL) -> PipelinedRead<GoalViewSet> {
        let views = self
        return PipelinedRead(statements: statements(idSet: idSet)) { try views.assemble($0.all) }
    }

    /// The statements that read the views of the goals `idSet` (a subquery of ids) selects. They
    /// do not depend on each other's results, so they can share one round trip with the query
    /// that picks the goals. Nothing in them depends on who reads, so one read serves everyone.
    func statements(idSet: SQL) -> [SQL] {
        let catalogue = platform
        return [
            """
            SELECT g.*,
                (SELECT count(*) FROM goal_supports s WHERE s.goal_id = g.id) + g.guest_supports AS supports,
                ARRAY(SELECT s.user_id FROM goal_supports s WHERE s.goal_id = g.id) AS supporter_ids,
                (SELECT count(*) FROM goal_comments c WHERE c.goal_id = g.id) AS comments,
                (SELECT count(*) FROM tasks t WHERE t.goal_id = g.id) AS tasks_total,
                (SELECT count(*) FROM tasks t WHERE t.goal_id = g.id AND t.status = 'done') AS tasks_done,
                (SELECT u.name FROM users u WHERE u.id = g.owner_id) AS owner_name,
                w.title AS workshop_title, w.join_code AS workshop_code
            FROM goals g LEFT JOIN workshops w ON w.id = g.workshop_id WHERE g.id IN (\(idSet))
            """,
            """
            SELECT a.goal_id, a.aligns_to_goal_id, a.aligns_to_catalogue_id, t.title AS goal_title, c.code,
                   \(Localized.columns("c.name", as: "catalogue_name"))
            FROM goal_alignments a
            LEFT JOIN goals t ON t.id = a.aligns_to_goal_id
            LEFT JOIN \(schema: catalogue).catalogue_goals c ON c.id = a.aligns_to_catalogue_id
            WHERE a.goal_id IN (\(idSet))
            ORDER BY a.aligns_to_catalogue_id NULLS FIRST, t.title, c.code
            """,
            """
            SELECT m.id, m.goal_id, m.title, m.due, m.done, m.done_at, m.done_by, u.name AS done_by_name
            FROM goal_milestones m LEFT JOIN users u ON u.id = m.done_by
            WHERE m.goal_id IN (\(idSet)) ORDER BY m.position
            """,
            """
            SELECT i.*, (SELECT v.value FROM checkin_indicator_values v JOIN checkins c ON c.id = v.checkin_id
                         WHERE v.indicator_id = i.id ORDER BY c.seq DESC LIMIT 1) AS latest_value
            FROM goal_indicators i WHERE i.goal_id IN (\(idSet)) ORDER BY i.retired_at IS NOT NULL, i.position
            """,
            """
            SELECT a.aligns_to_goal_id AS target, c.id, c.title, c.procurement_id, c.status, p.title AS procurement_title,
                   (SELECT k.attainment FROM checkins k WHERE k.goal_id = c.id ORDER BY k.seq DESC LIMIT 1) AS attainment
            FROM goal_alignments a JOIN goals c ON c.id = a.goal_id LEFT JOIN procurements p ON p.id = c.procurement_id
            WHERE a.aligns_to_goal_id IN (\(idSet)) ORDER BY p.title NULLS LAST, c.title, c.id
            """,
            """
            SELECT DISTINCT ON (goal_id) id, goal_id, status, attainment, created_at FROM checkins
            WHERE goal_id IN (\(idSet)) ORDER BY goal_id, seq DESC
            """,
            """
            SELECT g.id, g.code, g.version, \(Localized.columns("g.name", as: "name")), \(Localized.columns("g.description", as: "description")),
                   l.id AS latest_id, l.version AS latest_version,
                   \(Localized.columns("l.name", as: "latest_name")), \(Localized.columns("l.description", as: "latest_description")),
                   (SELECT max(version) FROM \(schema: catalogue).catalogue_versions WHERE status = 'published') AS newest
            FROM \(schema: catalogue).catalogue_goals g
            LEFT JOIN LATERAL (
                SELECT lg.id, lg.version, lg.name, lg.description FROM \(schema: catalogue).catalogue_goals lg
                JOIN \(schema: catalogue).catalogue_versions v ON v.version = lg.version AND v.status = 'published'
                WHERE lg.code = g.code ORDER BY lg.version DESC LIMIT 1) l ON true
            WHERE g.id IN (SELECT catalogue_goal_id FROM goals WHERE id IN (\(idSet)))
            """,
        ]
    }

    /// Builds the views from the results of `statements`, in their order.
    /// The workshop a goal came from, when it did.
    static func workshop(_ row: PostgresRow) throws -> WorkshopRef? {
        guard let id = try row.decode("workshop_id", as: UUID?.self), let title = try row.decode("workshop_title", as: String?.self),
            let code = try row.decode("workshop_code", as: String?.self)
        else { return nil }
        return WorkshopRef(id: id, title: title, joinCode: code)
    }

    func assemble(_ results: ArraySlice<PostgresRows>) throws -> GoalViewSet {
        let base = results.startIndex
        let (goals, alignments, milestones) = (results[base], results[base + 1], results[base + 2])
        let (indicators, contributions, checkins) = (results[base + 3], results[base + 4], results[base + 5])
        let catalogueRefs = results[base + 6]
        var contributionsByGoal: [UUID: [GoalView.Contribution]] = [:]
        for row in contributions {
            contributionsByGoal[try row.decode("target"), default: []].append(
                .init(
                    goalId: try row.decode("id"), title: try row.decode("title"), procurementId: try row.decode("procurement_id"),
                    procurementTitle: try row.decode("procurement_title"),
                    status: GoalStatus(rawValue: try row.decode("status")) ?? .idea, attainment: try row.decode("attainment")))
        }

        var alignmentsByGoal: [UUID: [GoalView.Alignment]] = [:]
        for row in alignments {
            let goalID: UUID = try row.decode("goal_id")
            if let target: UUID = try row.decode("aligns_to_goal_id") {
                alignmentsByGoal[goalID, default: []].append(.init(kind: "goal", id: target, title: try row.decode("goal_title")))
            } else if let target: UUID = try row.decode("aligns_to_catalogue_id") {
                let name = try Localized(row: row, alias: "catalogue_name")
                let code: String = try row.decode("code")
                alignmentsByGoal[goalID, default: []].append(.init(kind: "catalogue", id: target, title: "\(code) \(name.en)"))
            }
        }
        var milestonesByGoal: [UUID: [GoalView.Milestone]] = [:]
        for row in milestones {
            milestonesByGoal[try row.decode("goal_id"), default: []].append(
                .init(
                    id: try row.decode("id"), title: try row.decode("title"), due: try row.decode("due"), done: try row.decode("done"),
                    doneAt: try row.decode("done_at"), doneBy: try row.decode("done_by"), doneByName: try row.decode("done_by_name")))
        }
        var indicatorsByGoal: [UUID: [GoalView.Indicator]] = [:]
        for row in indicators {
            indicatorsByGoal[try row.decode("goal_id"), default: []].append(
                .init(
                    id: try row.decode("id"), name: try row.decode("name"), unit: try row.decode("unit"),
                    baseline: try row.decode("baseline"),
                    target: try row.decode("target"), direction: try row.decode("direction"),
                    catalogueIndicatorId: try row.decode("catalogue_indicator_id"), latestValue: try row.decode("latest_value"),
                    retired: try row.decode("retired_at", as: Date?.self) != nil, retiredAt: try row.decode("retired_at")))
        }
        var checkinByGoal: [UUID: GoalView.LatestCheckin] = [:]
        for row in checkins {
            checkinByGoal[try row.decode("goal_id")] = .init(
                id: try row.decode("id"), status: try row.decode("status"), attainment: try row.decode("attainment"),
                at: try row.decode("created_at"))
        }
        var refs: [UUID: GoalView.CatalogueRef] = [:]
        for row in catalogueRefs {
            let name = try Localized(row: row, alias: "name")
            let description = try Localized(row: row, alias: "description")
            let version: Int = try row.decode("version")
            var latest: GoalView.LatestWording?
            if let latestID: UUID = try row.decode("latest_id") {
                latest = .init(
                    id: latestID, name: try Localized(row: row, alias: "latest_name"),
                    description: try Localized(row: row, alias: "latest_description"))
            }
            let latestVersion: Int? = try row.decode("latest_version")
            let newest: Int? = try row.decode("newest")
            // Found last in an older version than the newest: the newest dropped it (no wording to show).
            let dropped = latestVersion.map { found in newest.map { $0 > found } ?? false } ?? (newest.map { $0 > version } ?? false)
            let changed = dropped || (latest.map { $0.name != name || $0.description != description } ?? false)
            refs[try row.decode("id")] = .init(
                id: try row.decode("id"), code: try row.decode("code"), version: version, name: name,
                latestVersion: newest ?? latestVersion,
                changedInLatest: changed, latest: changed && !dropped ? latest : nil)
        }

        var views: [UUID: GoalView] = [:]
        var supporters: [UUID: Set<UUID>] = [:]
        for row in goals {
            let id: UUID = try row.decode("id")
            let supporterIDs: [UUID] = try row.decode("supporter_ids")
            if !supporterIDs.isEmpty { supporters[id] = Set(supporterIDs) }
            let goalIndicators = indicatorsByGoal[id] ?? []
            let tasksTotal: Int = try row.decode("tasks_total")
            let tasksDone: Int = try row.decode("tasks_done")
            let goalContributions = contributionsByGoal[id] ?? []
            let derived = Progress.derived(
                indicators: goalIndicators, contributions: goalContributions, tasksDone: tasksDone, tasksTotal: tasksTotal)
            let goalAlignments = alignmentsByGoal[id] ?? []
            let catalogueGoalID: UUID? = try row.decode("catalogue_goal_id")
            views[id] = GoalView(
                id: id, title: try row.decode("title"), description: try row.decode("description"),
                level: GoalLevel(rawValue: try row.decode("level")) ?? .organisation, procurementId: try row.decode("procurement_id"),
                themeCode: try row.decode("theme_code"), catalogueGoal: catalogueGoalID.flatMap { refs[$0] },
                alignsTo: goalAlignments.map(\.id), alignments: goalAlignments, contributions: goalContributions,
                status: GoalStatus(rawValue: try row.decode("status")) ?? .idea, priority: try row.decode("priority", as: Int?.self),
                ownerId: try row.decode("owner_id"), ownerName: try row.decode("owner_name"), start: try row.decode("start_date"),
                due: try row.decode("due_date"), planYear: Int(try row.decode("plan_year", as: Int32.self)),
                evaluation: try row.decode("evaluation"), milestones: milestonesByGoal[id] ?? [], indicators: goalIndicators,
                supportCount: try row.decode("supports"), supportedByMe: false, workshop: try Self.workshop(row),
                commentCount: try row.decode("comments"),
                latestCheckin: checkinByGoal[id],
                progress: .init(
                    reportedAttainment: checkinByGoal[id]?.attainment, derivedAttainment: derived?.attainment, derivedFrom: derived?.source,
                    tasksDone: tasksDone, tasksTotal: tasksTotal),
                createdBy: try row.decode("created_by"), createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
                version: try row.decode("version"))
        }
        return GoalViewSet(views: views, supporters: supporters)
    }
}

/// Goal views as read, before anyone looks: who supports each goal comes along, so that one read
/// (and one cache entry) serves every viewer, each seeing their own `supportedByMe`.
struct GoalViewSet: Sendable {
    let views: [UUID: GoalView]
    let supporters: [UUID: Set<UUID>]

    func seen(by viewer: UUID) -> [UUID: GoalView] {
        views.mapValues { seen($0, by: viewer) }
    }

    func seen(_ view: GoalView, by viewer: UUID) -> GoalView {
        var view = view
        view.supportedByMe = supporters[view.id]?.contains(viewer) ?? false
        return view
    }

    subscript(id: UUID, seenBy viewer: UUID) -> GoalView? {
        views[id].map { seen($0, by: viewer) }
    }
}

/// A page of goal views before anyone looks (see `GoalViewSet`).
struct GoalListRead: Sendable {
    let page: Page<GoalView>
    let views: GoalViewSet

    func seen(by viewer: UUID) -> Page<GoalView> {
        Page(items: page.items.map { views.seen($0, by: viewer) }, nextCursor: page.nextCursor)
    }
}
