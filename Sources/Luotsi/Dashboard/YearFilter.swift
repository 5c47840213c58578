import Foundation
import Postgres

/// Which plan years a picture covers: every year, the organisation's current planning year (the
/// pages' default), or one year. Pages take it from `?year=` (`all`, or a year).
enum YearFilter: Sendable, Equatable {
    case all
    case current
    case year(Int)

    /// `?year=`: absent means `fallback`; `all` or a year from 2000 to 2100 otherwise (an empty
    /// value is neither, and refused).
    static func query(_ text: String?, fallback: YearFilter) throws -> YearFilter {
        guard let text else { return fallback }
        if text == "all" { return .all }
        guard let year = Int(text), (2000...2100).contains(year) else {
            throw LuotsiError.invalid(field: "year", reason: "must be all or a year from 2000 to 2100")
        }
        return .year(year)
    }

    /// The condition on a plan-year column (`g.plan_year`).
    func condition(_ column: SQL) -> SQL {
        switch self {
        case .all: "true"
        case .current: "\(column) = (SELECT \(GoalRepository.currentPlanningYear) FROM settings)"
        case .year(let year): "\(column) = \(Int32(year))"
        }
    }

    /// For cache keys.
    var key: String {
        switch self {
        case .all: "all"
        case .current: "current"
        case .year(let year): "\(year)"
        }
    }
}

/// The year menu of the overall picture, the report and the exports: every year, then the years
/// around the current planning year.
struct YearChoice: Sendable {
    let options: [Option]
    /// "Plan year 2027" or "All years": what the page shows.
    let label: String
    /// `year=…` for links that keep the choice.
    let query: String

    init(_ filter: YearFilter, current: Int, _ s: Strings) {
        let chosen: Int? =
            switch filter {
            case .all: nil
            case .current: current
            case .year(let year): year
            }
        let years = Set((current - 3)...(current + 2)).union(chosen.map { [$0] } ?? []).sorted()
        options =
            [Option(value: "all", label: s["year_all"], selected: chosen == nil)]
            + years.map { Option(value: "\($0)", label: "\($0)", selected: $0 == chosen) }
        label = chosen.map { s.format("year_label", ["year": "\($0)"]) } ?? s["year_all"]
        query = "year=\(chosen.map(String.init) ?? "all")"
    }
}
