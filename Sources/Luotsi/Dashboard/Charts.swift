import Foundation
import Postgres

/// Server-rendered SVG charts. Geometry is computed here; the templates only place numbers and
/// escaped labels. Every chart also has the same figures as a table beside it.
enum Charts {
    /// A horizontal bar chart: one bar per item, labelled with its name and value.
    struct Bars: Sendable {
        struct Bar: Sendable {
            let label: String
            let value: Int
            let y: Int
            let width: Int
            let textY: Int
            let valueX: Int
        }

        let width: Int
        let height: Int
        let barX: Int
        let barHeight: Int
        let bars: [Bar]
        let chartId: String
        let chartTitle: String
        let summary: String
    }

    static func bars(_ items: [(label: String, value: Int)], id: String, title: String, summary: String) -> Bars {
        let labelWidth = 170
        let chartWidth = 440
        let row = 28
        let maxValue = max(1, items.map(\.value).max() ?? 1)
        let scale = Double(chartWidth - labelWidth - 50) / Double(maxValue)
        let bars = items.enumerated().map { index, item in
            let width = Int((Double(item.value) * scale).rounded())
            return Bars.Bar(
                label: String(item.label.prefix(26)), value: item.value, y: index * row + 4, width: width, textY: index * row + 19,
                valueX: labelWidth + width + 6)
        }
        return Bars(
            width: chartWidth, height: max(row, items.count * row + 8), barX: labelWidth, barHeight: row - 8, bars: bars, chartId: id,
            chartTitle: title, summary: summary)
    }

    /// Attainment over time: a line over months, 0–100 %.
    struct Line: Sendable {
        struct Point: Sendable {
            let x: Int
            let y: Int
            let label: String
            let value: String
            let labelY: Int
        }

        let width: Int
        let height: Int
        let points: [Point]
        let path: String
        let gridLines: [GridLine]
        let chartId: String
        let chartTitle: String
        let summary: String
        let hasPoints: Bool
    }

    struct GridLine: Sendable {
        let y: Int
        let label: String
        let labelY: Int
    }

    static func line(_ items: [(label: String, value: Double)], language: Language, id: String, title: String, summary: String) -> Line {
        let width = 440
        let height = 240
        let left = 44
        let top = 12
        let plotHeight = 180
        let step = items.count > 1 ? Double(width - left - 60) / Double(items.count - 1) : 0
        let points = items.enumerated().map { index, item in
            let x = left + 10 + Int((Double(index) * step).rounded())
            let y = top + plotHeight - Int((min(100, max(0, item.value)) / 100 * Double(plotHeight)).rounded())
            return Line.Point(
                x: x, y: y, label: item.label, value: Formatting.percent(Int(item.value.rounded()), language), labelY: top + plotHeight + 20
            )
        }
        let path = points.enumerated().map { index, point in "\(index == 0 ? "M" : "L")\(point.x) \(point.y)" }.joined(separator: " ")
        let grid = [0, 25, 50, 75, 100].map { value in
            let y = top + plotHeight - value * plotHeight / 100
            return GridLine(y: y, label: Formatting.percent(value, language), labelY: y + 4)
        }
        return Line(
            width: width, height: height, points: points, path: path, gridLines: grid, chartId: id, chartTitle: title, summary: summary,
            hasPoints: !points.isEmpty)
    }

    /// The schedule as a timeline: one bar per goal from start to due, with today marked.
    struct Timeline: Sendable {
        struct Row: Sendable {
            let label: String
            let x: Int
            let width: Int
            let y: Int
            let textY: Int
            let period: String
            let status: StatusBadge
        }

        let width: Int
        let height: Int
        let rows: [Row]
        let todayX: Int?
        let startLabel: String
        let endLabel: String
        let axisY: Int
        let chartId: String
        let chartTitle: String
        let summary: String
        let hasRows: Bool
    }

    static func timeline(
        _ items: [(label: String, start: CalendarDate, due: CalendarDate, status: StatusBadge)], today: CalendarDate, language: Language,
        id: String, title: String, summary: String
    ) -> Timeline {
        let width = 440
        let labelWidth = 170
        let row = 26
        let first = min(items.map(\.start.daysSinceEpoch).min() ?? today.daysSinceEpoch, today.daysSinceEpoch)
        let last = max(items.map(\.due.daysSinceEpoch).max() ?? today.daysSinceEpoch, today.daysSinceEpoch, first + 1)
        let scale = Double(width - labelWidth - 10) / Double(last - first)
        func x(_ day: Int) -> Int { labelWidth + Int((Double(day - first) * scale).rounded()) }
        let rows = items.enumerated().map { index, item in
            Timeline.Row(
                label: String(item.label.prefix(26)), x: x(item.start.daysSinceEpoch),
                width: max(3, x(item.due.daysSinceEpoch) - x(item.start.daysSinceEpoch)), y: index * row + 4, textY: index * row + 18,
                period: "\(Formatting.date(item.start, language)) – \(Formatting.date(item.due, language))", status: item.status)
        }
        let height = items.count * row + 30
        return Timeline(
            width: width, height: height, rows: rows, todayX: x(today.daysSinceEpoch),
            startLabel: Formatting.date(today.adding(days: first - today.daysSinceEpoch), language),
            endLabel: Formatting.date(today.adding(days: last - today.daysSinceEpoch), language),
            axisY: items.count * row + 22, chartId: id, chartTitle: title, summary: summary, hasRows: !rows.isEmpty)
    }
}
