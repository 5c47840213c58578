import Foundation
import Hummingbird
import Postgres

/// Management's home, "Overall picture": a headline sentence, then goals by theme and status,
/// attainment over time, the schedule as a timeline, procurements by phase, and what is overdue
/// or needs a decision. Built from the same `Dashboard` read model as `GET …/dashboard`.
struct OverviewPage {
    let services: AppServices
    let pages: PageRenderer

    typealias Item = LinkItem

    struct ThemeRow: Sendable {
        let theme: String
        let cells: [Int]
        let total: Int
    }

    struct PhaseRow: Sendable {
        let phase: String
        let count: Int
        let procurements: [Item]
    }

    /// An organisation goal being worked on, with the procurement goals that support it.
    struct OrganisationGoalRow: Sendable {
        let href: String
        let title: String
        let status: StatusBadge
        let attainment: String
        let contributions: [Contribution]
        let hasContributions: Bool
    }

    struct Contribution: Sendable {
        let href: String
        let title: String
        let procurement: String
        let status: StatusBadge
        let attainment: String
    }

    struct Model: Sendable {
        let headline: String
        /// A new organisation (no goals yet) is shown where to start.
        let firstSteps: GuidanceContent.FirstSteps?
        let canAdopt: Bool
        let year: YearChoice
        let organisationGoals: [OrganisationGoalRow]
        let hasOrganisationGoals: Bool
        let statusChart: Charts.Bars
        let statusHeaders: [String]
        let themeRows: [ThemeRow]
        let themeChart: Charts.Bars
        let attainment: Charts.Line
        let attainmentRows: [Item]
        let timeline: Charts.Timeline
        let phaseChart: Charts.Bars
        let phases: [PhaseRow]
        let overdueGoals: [Item]
        let overdueTasks: [Item]
        let checkinsDue: [Item]
        let offTrack: [Item]
        let ideasWaitingText: String
        let hasIdeasWaiting: Bool
        let organisationGoalsToScheduleText: String
        let hasOrganisationGoalsToSchedule: Bool
        let hasOverdue: Bool
        let hasDecisions: Bool
        let checkinDueDays: Int
    }

    func register(on web: WebRouter) {
        web.member(.get, "/overview", .readOrganisation) { web, member in
            // The catalogue first, on a connection of its own: asking for it while holding the
            // organisation's connection held two at once, which deadlocked the pool under load.
            let themes = try await services.catalogue.view(language: web.language).themes
            let year = try YearFilter.query(RequestValues.query(web.request, "year"), fallback: .current)
            let read = Self.read(year: year).and(GoalRepository.readOrganisationGoalsInPlay(platform: services.goals.platform, year: year))
                .and(Settings.readSettings()).and(GoalRepository.readHasGoals())
            let found = try await services.readingOrganisation(member, cached: "overview.page|\(year.key)") { try await read.read(on: $0) }
            let (pictures, settings, hasGoals) = (found.first.first, found.first.second, found.second)
            let goals = pictures.second.views.values.sorted { ($0.title, $0.id.uuidString) < ($1.title, $1.id.uuidString) }
            let model = build(
                web, themes: themes, dashboard: pictures.first.first, status: pictures.first.second,
                year: YearChoice(year, current: settings.planningYear, web.strings), organisationGoals: goals,
                firstSteps: hasGoals ? nil : pages.guidance.content(web.language)?.firstSteps,
                canAdopt: Permissions.allows(AccessRole(.member(member)), .proposeGoal))
            return pages.response("overview", title: web.strings["overview_title"], page: model, web: web)
        }
    }

    /// What the page reads: the dashboard and the follow-up status, in one round trip.
    static func read(year: YearFilter) -> PipelinedRead<Both<Dashboard, FollowUpStatus>> {
        Dashboard.read(checkinDueDays: nil, year: year).and(FollowUpStatus.read(year: year))
    }

    func build(
        _ web: WebRequest, themes: [CatalogueView.Theme], dashboard: Dashboard, status: FollowUpStatus, year: YearChoice,
        organisationGoals: [GoalView] = [], firstSteps: GuidanceContent.FirstSteps? = nil, canAdopt: Bool = false
    ) -> Model {
        let s = web.strings
        let language = web.language
        let goalRows = organisationGoals.map { goal in
            OrganisationGoalRow(
                href: "/goals/\(goal.id.uuidString)", title: goal.title(in: language), status: StatusBadge(goal.status.rawValue, s),
                attainment: Formatting.percent(goal.progress.derivedAttainment ?? goal.progress.reportedAttainment, language).nonEmpty
                    ?? "–",
                contributions: goal.contributions.map { contribution in
                    Contribution(
                        href: "/goals/\(contribution.goalId.uuidString)", title: contribution.title,
                        procurement: contribution.procurementTitle ?? "–", status: StatusBadge(contribution.status.rawValue, s),
                        attainment: Formatting.percent(contribution.attainment, language).nonEmpty ?? "–")
                },
                hasContributions: !goal.contributions.isEmpty)
        }
        let latest = status.scheduled
        let ideasWaiting = status.ideasWaiting
        let onTrack = latest.filter { $0.status == "on_track" }.count
        let atRisk = latest.filter { $0.status == "at_risk" }.count
        let offTrack = latest.filter { $0.status == "off_track" }
        let headline = s.format(
            "overview_headline",
            ["onTrack": "\(onTrack)", "scheduled": "\(latest.count)", "atRisk": "\(atRisk)", "offTrack": "\(offTrack.count)"])

        var byStatus: [String: Int] = [:]
        for count in dashboard.goalsByLevelAndStatus { byStatus[count.status, default: 0] += count.count }
        let statuses = GoalStatus.allCases.map(\.rawValue)
        let statusChart = Charts.bars(
            statuses.map { (s["status_\($0)"], byStatus[$0] ?? 0) }, id: "chart-status", title: s["chart_status_title"],
            summary: s["chart_status_desc"])

        let themeNames = Dictionary(themes.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        var byTheme: [String: [String: Int]] = [:]
        for count in dashboard.goalsByThemeAndStatus { byTheme[count.key, default: [:]][count.status] = count.count }
        let themeKeys = byTheme.keys.sorted { ($0 == "none" ? "~" : $0) < ($1 == "none" ? "~" : $1) }
        let themeRows = themeKeys.map { key in
            ThemeRow(
                theme: key == "none" ? s["theme_none"] : themeNames[key] ?? key, cells: statuses.map { byTheme[key]?[$0] ?? 0 },
                total: byTheme[key]?.values.reduce(0, +) ?? 0)
        }
        let themeChart = Charts.bars(
            themeRows.map { ($0.theme, $0.total) }, id: "chart-theme", title: s["chart_theme_title"], summary: s["chart_theme_desc"])

        let attainment = Charts.line(
            dashboard.attainmentOverTime.map { (Self.month($0.month, language), $0.averageAttainment) }, language: language,
            id: "chart-attainment",
            title: s["chart_attainment_title"], summary: s["chart_attainment_desc"])
        let attainmentRows = dashboard.attainmentOverTime.map {
            Item(
                href: "", title: Self.month($0.month, language),
                detail: "\(Formatting.percent(Int($0.averageAttainment.rounded()), language)) · \($0.checkins)")
        }

        let scheduled = dashboard.schedule.compactMap { item -> (String, CalendarDate, CalendarDate, StatusBadge)? in
            guard let start = item.start, let due = item.due, item.status == "scheduled" || item.status == "shortlisted" else { return nil }
            return (item.title, start, due, StatusBadge(item.status, s))
        }.prefix(30)
        let timeline = Charts.timeline(
            Array(scheduled), today: dashboard.today, language: language, id: "chart-timeline", title: s["chart_timeline_title"],
            summary: s["chart_timeline_desc"])

        let phases = dashboard.procurementsByPhase.map { group in
            PhaseRow(
                phase: s["phase_\(group.phase)"], count: group.procurements.count,
                procurements: group.procurements.prefix(20).map {
                    Item(href: "/procurements/\($0.id.uuidString)", title: $0.title, detail: "")
                })
        }
        let phaseChart = Charts.bars(
            phases.map { ($0.phase, $0.count) }, id: "chart-phase", title: s["chart_phase_title"], summary: s["chart_phase_desc"])

        let links = DashboardLinks(dashboard, limit: 50, strings: s, language: language)
        return Model(
            headline: headline, firstSteps: firstSteps, canAdopt: canAdopt, year: year, organisationGoals: goalRows,
            hasOrganisationGoals: !goalRows.isEmpty, statusChart: statusChart,
            statusHeaders: statuses.map { s["status_\($0)"] }, themeRows: themeRows,
            themeChart: themeChart, attainment: attainment, attainmentRows: attainmentRows, timeline: timeline, phaseChart: phaseChart,
            phases: phases, overdueGoals: links.overdueGoals, overdueTasks: links.overdueTasks, checkinsDue: links.checkinsDue,
            offTrack: offTrack.map { Item(href: "/goals/\($0.id.uuidString)", title: $0.title, detail: s["status_off_track"]) },
            ideasWaitingText: s.counted("ideas_waiting", ideasWaiting), hasIdeasWaiting: ideasWaiting > 0,
            organisationGoalsToScheduleText: s.counted("organisation_goals_to_schedule", status.organisationGoalsToSchedule),
            hasOrganisationGoalsToSchedule: status.organisationGoalsToSchedule > 0,
            hasOverdue: !links.overdueGoals.isEmpty || !links.overdueTasks.isEmpty,
            hasDecisions: !offTrack.isEmpty || !links.checkinsDue.isEmpty || ideasWaiting > 0 || status.organisationGoalsToSchedule > 0,
            checkinDueDays: dashboard.checkinDueDays)
    }

    /// `2026-11` as the language writes a month.
    static func month(_ text: String, _ language: Language) -> String {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2 else { return text }
        let (year, number) = (parts[0], min(12, max(1, parts[1])))  // two parts, checked: no input reaches a trap
        switch language {
        case .fi, .sv: return "\(number)/\(year)"
        case .en: return "\(Formatting.englishMonths[number - 1]) \(year)"
        }
    }
}
