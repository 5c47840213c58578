import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Luotsi

@Suite("Page templates and translations")
struct WebTemplateTests {
    /// Markup that a page must never contain: an untranslated key, or a required element left empty.
    static var emptyRequired: [(String, Regex<Substring>)] {
        [
            ("missing translation", /⟦missing:/),
            ("empty title", /<title>\s*–/),
            ("empty h1", /<h1[^>]*>\s*<\/h1>/),
            ("empty label", /<label[^>]*>\s*<\/label>/),
            ("empty legend", /<legend[^>]*>\s*<\/legend>/),
            ("empty option", /<option[^>]*>\s*<\/option>/),
            ("empty header cell", /<th[^>]*>\s*<\/th>/),
            ("empty caption", /<caption>\s*<\/caption>/),
            ("empty button", /<button[^>]*>\s*<\/button>/),
            ("empty link", /<a [^>]*>\s*<\/a>/),
            ("empty href", /href=""/),
            ("empty CSRF token", /name="csrf" value=""/),
        ]
    }

    static func problems(in html: String) -> [String] {
        emptyRequired.filter { html.contains($0.1) }.map(\.0)
    }

    @Test("every template renders for every role in fi, sv and en with every text translated and no required field empty")
    func everyTemplateInEveryLanguage() async throws {
        try await WebWorld.with { world, client in
            let scheduled = try await world.goalID("scheduled", level: "procurement", client: client)
            let shortlistedOrganisation = try await world.goalID("shortlisted", level: "organisation", client: client)
            let shortlistedProcurement = try await world.goalID("shortlisted", level: "procurement", client: client)
            let procurement = try await world.procurementID(client: client)
            let task = try await world.taskID(client: client)
            _ = try await client.call(.post, "/api/v1/platform/catalogue/draft", token: world.token(.platformAdmin))
            let unsubscribe = try await world.api.services.unsubscribeLinks.token(
                organisation: world.slug, person: try #require(world.api.a.users[.staff]).id)
            let workshops = try await client.call(.get, "/api/v1/orgs/\(world.slug)/workshops", token: world.token(.staff))
            let code = try #require(workshops.items.first?["joinCode"] as? String, "the demo has a workshop")
            let visits: [(AccessRole?, String, HTTPResponse.Status)] = [
                (.staff, "/workshops", .ok), (.lead, "/workshops", .ok), (.staff, "/w/\(code)", .ok), (.lead, "/w/\(code)", .ok),
                (nil, "/w/\(code)", .ok), (nil, "/join", .ok), (.management, "/w/\(code)/screen", .ok),
                (.management, "/w/\(code)/summary", .ok), (.platformAdmin, "/w/\(code)", .notFound), (nil, "/w/AAAAAA", .notFound),
                (nil, "/", .ok), (nil, "/set-password", .ok), (nil, "/unsubscribe/\(unsubscribe)", .ok),
                (nil, "/unsubscribe/x.\(UUID().uuidString).AAAAAAAAAAAAAAAAAAAAAA", .notFound), (.staff, "/notifications", .ok),
                (.lead, "/notifications", .ok), (.platformAdmin, "/platform/mail", .ok), (.management, "/platform/mail", .forbidden),
                (.staff, "/profile", .ok), (.platformAdmin, "/profile", .ok),
                (.staff, "/my-work", .ok), (.staff, "/goals", .ok), (.staff, "/goals/new", .ok), (.staff, "/goals/\(scheduled)", .ok),
                (.staff, "/procurements", .ok), (.staff, "/procurements/\(procurement)", .ok), (.staff, "/catalogue", .ok),
                (.staff, "/users", .forbidden), (.staff, "/funnel", .ok), (.staff, "/overview", .ok),
                (.staff, "/goals/00000000-0000-0000-0000-000000000000", .notFound),
                (.lead, "/next-actions", .ok), (.lead, "/funnel", .ok), (.lead, "/procurements/new", .ok), (.lead, "/exports", .ok),
                (.lead, "/report", .ok), (.lead, "/goals/\(scheduled)", .ok), (.lead, "/goals/\(shortlistedProcurement)/schedule", .ok),
                (.lead, "/goals/\(scheduled)/reschedule", .ok), (.staff, "/goals/\(scheduled)/reschedule", .forbidden),
                (.lead, "/goals/\(scheduled)/indicators", .ok), (.staff, "/goals/\(scheduled)/indicators", .forbidden),
                (.lead, "/goals/\(shortlistedOrganisation)/indicators", .forbidden),
                (.staff, "/help", .ok), (.lead, "/help/roles/management", .ok), (.management, "/help/funnel", .ok),
                (.staff, "/help/roles/nobody", .notFound), (.management, "/settings", .ok), (.lead, "/settings", .forbidden),
                (.management, "/overview?year=all", .ok), (.management, "/report?year=2027", .ok), (.management, "/exports?year=all", .ok),
                (.lead, "/goals/\(shortlistedProcurement)/reschedule", .conflict), (.lead, "/tasks/\(task)/edit", .ok),
                (.staff, "/tasks/\(task)/edit", .forbidden),
                (.lead, "/goals/\(shortlistedOrganisation)/schedule", .forbidden),
                (.management, "/overview", .ok), (.management, "/users", .ok), (.management, "/audit", .ok),
                (.management, "/goals/\(shortlistedOrganisation)/schedule", .ok), (.management, "/catalogue", .ok),
                (.platformAdmin, "/platform/organisations", .ok), (.platformAdmin, "/platform/catalogue", .ok),
                (.platformAdmin, "/platform/catalogue/draft/goals/EL-2", .ok), (.platformAdmin, "/platform/rollup", .ok),
                (.platformAdmin, "/platform/audit", .ok), (.platformAdmin, "/platform/catalogue/draft/themes/KM", .ok),
                (.platformAdmin, "/platform/catalogue/draft/themes/KM/goals/new", .ok), (.platformAdmin, "/help", .ok),
                (.platformAdmin, "/platform/catalogue/draft/themes/XX", .notFound),
            ]
            var rendered = Set<String>()
            for language in Language.allCases {
                for (role, path, expected) in visits {
                    let separator = path.contains("?") ? "&" : "?"
                    let page = try await client.page(path + "\(separator)lang=\(language.rawValue)", session: role.map(world.token))
                    #expect(page.status == expected, "\(path) as \(String(describing: role))")
                    #expect(page.lang == language.rawValue, "\(path)")
                    #expect(Self.problems(in: page.html).isEmpty, "\(path) in \(language): \(Self.problems(in: page.html))")
                    if let template = page.template { rendered.insert(template) }
                }
            }
            let partials: Set<String> = [
                "frame", "chart-bars", "chart-line", "chart-timeline", "catalogue-indicator-row", "workshop-board",
            ]
            let pages = PageRenderer.bundled()
            #expect(rendered == Set(pages.templateNames).subtracting(partials))
            // The charts are partials of the overview: SVG with a text alternative.
            let overview = try await client.page("/overview", session: world.token(.management))
            #expect(overview.html.components(separatedBy: "role=\"img\"").count - 1 == 5)
            #expect(overview.html.contains("<desc id=\"chart-status-desc\">"))
        }
    }

    @Test("the three languages have the same keys, and every key is used by a template or the code")
    func translationsAreCompleteAndUsed() throws {
        let resources = PageRenderer.resources
        var keysByLanguage: [String: Set<String>] = [:]
        for language in Language.allCases {
            let data = try Data(contentsOf: resources.appendingPathComponent("translations/\(language.rawValue).json"))
            let texts = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
            keysByLanguage[language.rawValue] = Set(texts.keys)
            #expect(texts.values.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty }, "\(language): an empty text")
        }
        let english = try #require(keysByLanguage["en"])
        for (language, keys) in keysByLanguage {
            #expect(keys.subtracting(english).isEmpty, "\(language) has keys English lacks: \(keys.subtracting(english).sorted())")
            #expect(english.subtracting(keys).isEmpty, "\(language) lacks: \(english.subtracting(keys).sorted())")
        }
        let (named, literals) = try Self.usedKeys()
        #expect(named.subtracting(english).isEmpty, "used but not translated: \(named.subtracting(english).sorted())")
        let used = named.union(literals.intersection(english))
        #expect(english.subtracting(used).isEmpty, "translated but never used: \(english.subtracting(used).sorted())")
    }

    /// Keys named in templates (`{{t.key}}`), in the code (string literals, `?notice=key`),
    /// and the families the code builds from its own enumerations (`status_<status>` …).
    /// `named`: keys that must exist (templates, the code's key families); `literals`: the code's
    /// string literals, which count as uses of the keys they spell.
    static func usedKeys() throws -> (named: Set<String>, literals: Set<String>) {
        var used = Set<String>()
        var formFields = Set<String>()
        let templates = PageRenderer.resources.appendingPathComponent("templates")
        for file in try FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil) {
            let text = try String(contentsOf: file, encoding: .utf8)
            used.formUnion(text.matches(of: /\{\{[#^\/]?t\.([a-z0-9_]+)\}\}/).map { String($0.1) })
            formFields.formUnion(text.matches(of: /name="([A-Za-z]+)/).map { String($0.1) })
        }
        let sources = TestSupport.repositoryRoot.appendingPathComponent("Sources/Luotsi")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        var code = ""
        for file in files where file.pathExtension == "swift" { code += try String(contentsOf: file, encoding: .utf8) }
        // Every string literal of the code that names a key (`s["overview_title"]`, `("/users", "nav_users")`).
        let literals = Set(code.matches(of: /"([a-z][a-z0-9_]*_[a-z0-9_]+)"/).map { String($0.1) })
        used.formUnion(code.matches(of: /notice=([a-z_]+[a-z])\b/).map { "notice_" + String($0.1) })
        // Counted sentences (`s.counted("ideas_waiting", n)` → ideas_waiting_one, ideas_waiting_other).
        used.formUnion(code.matches(of: /counted\(\s*"([a-z_]+)"/).flatMap { ["\($0.1)_one", "\($0.1)_other"] })
        used.formUnion(Organisation.Status.allCases.map { "notice_organisation_\($0.rawValue)" })
        let statuses =
            GoalStatus.allCases.map(\.rawValue) + CheckIns.statuses + TaskRepository.statuses
            + Organisation.Status.allCases.map(\.rawValue) + ["draft", "published"]
        used.formUnion(statuses.map { "status_\($0)" })
        used.formUnion(GoalLevel.allCases.map { "level_\($0.rawValue)" })
        used.formUnion(ProcurementPhase.allCases.map { "phase_\($0.rawValue)" })
        used.formUnion((1...3).map { "priority_\($0)" } + (0...2).map { "score_\($0)" })
        used.formUnion(Role.allCases.map { "role_\($0.rawValue)" })
        used.formUnion(GoalStatus.moves.values.flatMap { $0 }.filter { $0 != .scheduled }.map { "move_\($0.rawValue)" })
        used.formUnion(FunnelBoard.columns.map { "column_\($0.key)" })
        used.formUnion(CatalogueIndicatorRows.directions.map { "direction_\($0)" })
        used.formUnion(ImpactInput.themes.map { "impact_\($0)" })
        used.formUnion(CSVExport.kinds.map { "export_\($0)" })
        used.formUnion(WorkshopPhase.allCases.map { "workshop_phase_\($0.rawValue)" })
        used.formUnion(WorkshopPhase.allCases.compactMap(\.next).map { "workshop_to_\($0.rawValue)" })
        used.formUnion(WorkshopPhase.allCases.compactMap(\.previous).map { "workshop_back_to_\($0.rawValue)" })
        used.formUnion(WorkshopDecision.allCases.map { "workshop_decision_\($0.rawValue)" })
        used.formUnion(WorkshopBoard.Focus.Kind.allCases.map { "workshop_focus_\($0.rawValue)" })
        used.formUnion([400, 403, 404, 409, 412, 422, 429, 500, 503].flatMap { ["error_\($0)_title", "error_\($0)_text"] })
        // Audit actions as the code records them ("goal.create" → audit_goal_create), and their entities.
        let actions = code.matches(of: /"(goal|procurement|task|user|settings|workshop)\.([a-z_]+)"/).map { (String($0.1), String($0.2)) }
        used.formUnion(actions.map { "audit_\($0.0)_\($0.1)" })
        used.formUnion(actions.map { "entity_\($0.0)" })
        // Platform audit actions ("catalogue.draft.goal.edit" → paudit_catalogue_draft_goal_edit).
        used.formUnion(
            code.matches(of: /"((?:organisation|catalogue|admin|mail)\.[a-z._]+)"/).map {
                "paudit_" + String($0.1).replacingOccurrences(of: ".", with: "_")
            })
        // A field's error message is used when a form has that field (err_milestones_title ← name="milestones-…").
        let english =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: PageRenderer.resources.appendingPathComponent("translations/en.json"))) as? [String: String] ?? [:]
        for key in english.keys where key.hasPrefix("err_") {
            let field = key.dropFirst(4).split(separator: "_").first.map(String.init) ?? ""
            if formFields.contains(field) { used.insert(key) }
        }
        return (used, literals)
    }
}
