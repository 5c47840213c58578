import Foundation
import Mustache
import Testing

@testable import Luotsi

/// `RenderTree` must render exactly what swift-mustache's own reflection renders.
@Suite("Render tree")
struct RenderTreeTests {
    struct Row: Sendable {
        let title: String
        let note: String?
        let done: Bool
        let tags: [String]
    }

    struct Model: Sendable {
        let heading: String
        let subtitle: String?
        let missing: String?
        let count: Int
        let share: Double
        let rows: [Row]
        let empty: [Row]
        let date: Date
        let id: UUID
        let options: [Option]
    }

    static let template = """
        <h1>{{heading}}</h1>{{#subtitle}}<p>{{subtitle}} / {{heading}}</p>{{/subtitle}}{{^missing}}<p>none</p>{{/missing}}
        {{count}} {{share}} {{date}} {{id}}
        {{#rows}}<li>{{title}}{{#note}} ({{note}}){{/note}}{{#done}} done{{/done}}{{^done}} open{{/done}} {{#tags}}[{{.}}]{{/tags}}
        {{heading}}{{#first}} first{{/first}}{{#last}} last{{/last}}</li>{{/rows}}{{^empty}}<p>no rows</p>{{/empty}}
        {{#options}}<input id="{{id}}" value="{{value}}"{{#selected}} checked{{/selected}}>{{label}}{{/options}}
        """

    @Test("the same text as rendering the model itself, optionals, nesting, sequences and all")
    func sameText() throws {
        var library = MustacheLibrary()
        try library.register(Self.template, named: "t")
        let model = Model(
            heading: "Otsikko & <b>", subtitle: "Ala", missing: nil, count: 3, share: 0.5,
            rows: [
                Row(title: "A", note: "n", done: true, tags: ["x", "y"]), Row(title: "B", note: nil, done: false, tags: []),
            ],
            empty: [], date: Date(timeIntervalSince1970: 0), id: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!,
            options: Option.radios("status", [("on_track", "On", true), ("at_risk", "Risk", false)]))
        let direct = try #require(library.render(model, withTemplate: "t"))
        let tree = try #require(library.render(RenderTree.make(model) ?? model, withTemplate: "t"))
        #expect(direct == tree)
        #expect(tree.contains("(n)") && tree.contains("[x][y]") && tree.contains("none") && tree.contains("no rows"))
        #expect(tree.contains(#"id="status" value="on_track" checked"#))
        #expect(RenderTree.make(model) is [String: Any])
    }
}
