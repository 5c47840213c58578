import Foundation
import Hummingbird
import Postgres

/// `/funnel`: the board of ideas, shortlisted, scheduled and closed goals, with sifting inline
/// and links to schedule and close for those `GoalPolicy` lets; everyone else (staff) reads it,
/// told who acts. Each column shows its newest 50, linking to the full list.
struct FunnelPage {
    let services: AppServices
    let pages: PageRenderer
    static let perColumn = 50

    struct Card: Sendable {
        let id: String
        let href: String
        let title: String
        let level: String
        let status: StatusBadge
        let due: String?
        let supportText: String
        let sift: Bool
        let schedule: Bool
        let siftOptions: [Option]
    }

    struct Column: Sendable {
        let key: String
        let title: String
        let cards: [Card]
        let count: Int
        let more: Bool
        let allHref: String
    }

    struct Model: Sendable {
        let columns: [Column]
        /// For those who may not sift: who does.
        let readOnlyNote: String?
    }

    func register(on web: WebRouter) {
        web.member(.get, "/funnel", .readOrganisation) { web, member in
            let s = web.strings
            let policy = GoalPolicy(member)
            let board = try await services.readingOrganisation(member, cached: "funnel.page|\(Self.perColumn)") {
                try await FunnelBoard.read(perColumn: Self.perColumn).read(on: $0)
            }
            let columns = board.columns.map { column in
                let cards = column.cards.map { card in
                    Card(
                        id: card.id.uuidString, href: "/goals/\(card.id.uuidString)", title: card.title.text(web.language),
                        level: s["level_\(card.level.rawValue)"],
                        status: StatusBadge(card.status.rawValue, s), due: Formatting.date(card.due, web.language).nonEmpty,
                        supportText: s.counted("supporters", card.supports),
                        sift: policy.refusal(moving: card.status, to: .shortlisted, level: card.level) == nil,
                        schedule: policy.refusal(moving: card.status, to: .scheduled, level: card.level) == nil,
                        siftOptions: [GoalStatus.shortlisted, .rejected].map {
                            Option(value: $0.rawValue, label: s["move_\($0.rawValue)"], selected: false)
                        })
                }
                let only = column.statuses.count == 1 ? column.statuses.first : nil
                return Column(
                    key: column.key, title: s["column_\(column.key)"], cards: cards, count: column.count, more: column.count > cards.count,
                    allHref: only.map { "/goals?status=\($0.rawValue)" } ?? "/goals")
            }
            let readOnly = Permissions.allows(AccessRole(.member(member)), .siftGoal) ? nil : s["funnel_read_only"]
            return pages.response("funnel", title: s["funnel_title"], page: Model(columns: columns, readOnlyNote: readOnly), web: web)
        }
    }
}
