import Foundation
import Postgres

/// Server-rendered SVG charts. Geometry is computed here; the templates only place numbers and
/// escaped labels. Every chart also has the same figures as a table beside it.
enum Charts {
    /// A horizontal bar chart: one bar per item, labelled with its name and value.
    /// One line of a label, where it sits.
    struct LabelLine: Sendable {
        let text: String
        let y: Int
    }

    /// Labels are never cut: they wrap onto lines of their own above the bar, as wide as the chart.
    static let lineHeight = 15
    static let charactersPerLine = 62

    /// `text` broken between words into lines of at most `width` characters (a longer word has a line of its own).
    static func wrap(_ text: String, width: Int = charactersPerLine) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    struct Bars: Sendable {
        struct Bar: Sendable {
            let label: String
            let lines: [LabelLine]
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
        let chartWidth = 440
        let barHeight = 14
        let maxValue = max(1, items.map(\.value).max() ?? 1)
        let scale = Double(chartWidth - 50) / Double(maxValue)
        var top = 4
        let bars = items.map { item in
            let lines = wrap(item.label)
            let barY = top + lines.count * lineHeight + 2
            let width = Int((Double(item.value) * scale).rounded())
            let bar = Bars.Bar(
                label: item.label, lines: lines.enumerated().map { LabelLine(text: $1, y: top + 12 + $0 * lineHeight) }, value: item.value,
                y: barY, width: width, textY: barY + 12, valueX: width + 6)
            top = barY + barHeight + 10
            return bar
        }
        return Bars(
            width: chartWidth, height: max(28, top), barX: 0, barHeight: barHeight, bars: bars, chartId: id, chartTitle: title,
            summary: summary)
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

    /// The schedule as a timeline: one bar per goal from start to due, its full name above it, with today marked.
    struct Timeline: Sendable {
        struct Row: Sendable {
            let label: String
            let lines: [LabelLine]
            let x: Int
            let width: Int
            let y: Int
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
        let first = min(items.map(\.start.daysSinceEpoch).min() ?? today.daysSinceEpoch, today.daysSinceEpoch)
        let last = max(items.map(\.due.daysSinceEpoch).max() ?? today.daysSinceEpoch, today.daysSinceEpoch, first + 1)
        let scale = Double(width - 10) / Double(last - first)
        func x(_ day: Int) -> Int { Int((Double(day - first) * scale).rounded()) }
        var top = 4
        let rows = items.map { item in
            let lines = wrap(item.label)
            let barY = top + lines.count * lineHeight + 2
            let row = Timeline.Row(
                label: item.label, lines: lines.enumerated().map { LabelLine(text: $1, y: top + 12 + $0 * lineHeight) },
                x: x(item.start.daysSinceEpoch), width: max(3, x(item.due.daysSinceEpoch) - x(item.start.daysSinceEpoch)), y: barY,
                period: "\(Formatting.date(item.start, language)) – \(Formatting.date(item.due, language))", status: item.status)
            top = barY + 14 + 8
            return row
        }
        return Timeline(
            width: width, height: top + 22, rows: rows, todayX: x(today.daysSinceEpoch),
            startLabel: Formatting.date(today.adding(days: first - today.daysSinceEpoch), language),
            endLabel: Formatting.date(today.adding(days: last - today.daysSinceEpoch), language),
            axisY: top + 4, chartId: id, chartTitle: title, summary: summary, hasRows: !rows.isEmpty)
    }
}
