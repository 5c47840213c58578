import Foundation
import Postgres
import Testing

@testable import Luotsi

@Suite("Chart labels wrap and are never cut")
struct ChartTests {
    static let long =
        "Tarvekartoitus ja suunnittelu sekä markkinavuoropuhelu ennen tarjouspyynnön valmistelua, hiilineutraalisuus 2035 ja kiertotalous"

    @Test("a bar's label keeps every word, on lines short enough for the chart")
    func barsWrap() {
        let chart = Charts.bars([(Self.long, 3), ("Idea", 1)], id: "c", title: "t", summary: "s")
        let lines = chart.bars[0].lines.map(\.text)
        #expect(lines.joined(separator: " ") == Self.long)
        #expect(lines.count > 1 && lines.allSatisfy { $0.count <= Charts.charactersPerLine })
        // The next bar starts below the wrapped label, and the picture is tall enough for both.
        #expect(chart.bars[1].lines[0].y > chart.bars[0].y)
        #expect(chart.height > chart.bars[1].y)
    }

    @Test("a timeline row's label keeps every word")
    func timelineWraps() throws {
        let start = try #require(CalendarDate(year: 2027, month: 1, day: 1))
        let due = try #require(CalendarDate(year: 2027, month: 12, day: 31))
        let chart = Charts.timeline(
            [(Self.long, start, due, StatusBadge("scheduled", Strings(language: .fi, texts: [:])))], today: start, language: .fi, id: "t",
            title: "t", summary: "s")
        #expect(chart.rows[0].lines.map(\.text).joined(separator: " ") == Self.long)
    }
}
