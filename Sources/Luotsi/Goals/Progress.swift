import Foundation

/// How a goal's attainment is derived, not only typed in:
///
/// 1. With indicators that have values: the mean over those indicators of
///    `(latest − baseline) / (target − baseline)`, clamped to 0…100 % (a missing baseline counts
///    as 0; the formula serves both directions because a decrease makes both terms negative).
///    Retired indicators do not count.
/// 2. Else, for an organisation goal that procurement goals support (`contributions`): the mean of
///    the latest reported attainment of those contributions that are scheduled or closed
///    (achieved, partly achieved, not achieved) and have been checked in on. Ideas, shortlisted,
///    rejected and dropped contributions do not count: they are not being worked.
/// 3. Else, with tasks: the share of tasks done.
/// 4. Else: none. The latest check-in's attainment is always shown beside it as reported.
public enum Progress {
    public static func derived(
        indicators: [GoalView.Indicator], contributions: [GoalView.Contribution] = [], tasksDone: Int, tasksTotal: Int
    ) -> (attainment: Int, source: String)? {
        let shares: [Double] = indicators.compactMap { indicator in
            guard !indicator.retired, let latest = indicator.latestValue else { return nil }
            let baseline = indicator.baseline ?? 0
            let span = indicator.target - baseline
            if span == 0 { return latest == indicator.target ? 1 : 0 }
            let share = NSDecimalNumber(decimal: (latest - baseline) / span).doubleValue
            // A quotient Decimal cannot hold is NaN: counted as no progress, never converted.
            return share.isNaN ? 0 : min(1, max(0, share))
        }
        if !shares.isEmpty {
            return (Int((shares.reduce(0, +) / Double(shares.count) * 100).rounded()), "indicators")
        }
        let worked = contributions.filter { $0.status == .scheduled || $0.status.isClosing }.compactMap(\.attainment)
        if !worked.isEmpty {
            return (Int((Double(worked.reduce(0, +)) / Double(worked.count)).rounded()), "contributions")
        }
        if tasksTotal > 0 {
            return (Int((Double(tasksDone) / Double(tasksTotal) * 100).rounded()), "tasks")
        }
        return nil
    }
}
