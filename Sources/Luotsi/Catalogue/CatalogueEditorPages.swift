import Foundation
import Hummingbird

/// The platform admin's catalogue editor: versions, a draft copied from the newest published
/// version, each goal's name and description in Finnish, Swedish and English side by side, and
/// publishing the draft as the next version (organisations keep the version they adopted).
struct CatalogueEditorPages {
    let services: AppServices
    let pages: PageRenderer

    struct VersionRow: Sendable {
        let version: Int
        let status: StatusBadge
        let note: String
        let published: String
        let goals: Int
    }

    struct DraftGoal: Sendable {
        let code: String
        let name: String
        let href: String
    }

    struct DraftTheme: Sendable {
        let code: String
        let name: String
        let goals: [DraftGoal]
    }

    struct Model: Sendable {
        let versions: [VersionRow]
        let hasDraft: Bool
        let draftVersion: Int
        let themes: [DraftTheme]
        let note: String
    }

    struct GoalModel: Sendable {
        let code: String
        let fields: [LanguageFields]
        let indicators: [CatalogueIndicatorRows.Row]
        /// How many indicator rows the form has (the goal's own, and one blank for a new one).
        let rows: Int
    }

    struct LanguageFields: Sendable {
        let code: String
        let label: String
        let name: String
        let description: String
    }

    func register(on web: WebRouter) {
        web.platform(.get, "/platform/catalogue", .manageCatalogue) { web, _ in try await show(web, note: "", errors: []) }
        web.platform(.post, "/platform/catalogue/draft", .manageCatalogue) { _, admin in
            _ = try await services.catalogue.draft(create: true, by: .admin(admin))
            return PageRenderer.redirect("/platform/catalogue?notice=draft_started")
        }
        web.platform(.post, "/platform/catalogue/draft/discard", .manageCatalogue) { _, admin in
            try await services.catalogue.discardDraft(by: .admin(admin))
            return PageRenderer.redirect("/platform/catalogue?notice=draft_discarded")
        }
        web.platform(.post, "/platform/catalogue/draft/publish", .manageCatalogue) { web, admin in
            let note = web.form.raw("note")
            guard note.count <= 2000 else {
                return try await show(web, note: note, errors: [.init(fieldID: "note", message: web.strings["err_note"])])
            }
            _ = try await services.catalogue.publishDraft(note: note, by: .admin(admin))
            return PageRenderer.redirect("/platform/catalogue?notice=catalogue_published")
        }
        web.platform(.get, "/platform/catalogue/draft/goals/:code", .manageCatalogue) { web, _ in
            try await showGoal(web, code: web.context.parameters.get("code") ?? "", typed: nil, errors: [])
        }
        web.platform(.post, "/platform/catalogue/draft/goals/:code", .manageCatalogue) { web, admin in
            let code = web.context.parameters.get("code") ?? ""
            let form = web.form
            do {
                let name = Localized(fi: form.raw("name-fi"), sv: form.raw("name-sv"), en: form.raw("name-en"))
                let description = Localized(fi: form.raw("description-fi"), sv: form.raw("description-sv"), en: form.raw("description-en"))
                try name.validate(field: "name", maxLength: 300)
                try description.validate(field: "description")
                let rows = min(max(try form.int("rows") ?? 0, 0), 21)
                let indicators = try CatalogueIndicatorRows.parse(form, rows: rows)
                _ = try await services.catalogue.updateDraftGoal(
                    code: code, name: name, description: description, indicators: rows > 0 ? indicators : nil, by: .admin(admin))
                return PageRenderer.redirect("/platform/catalogue?notice=draft_goal_saved")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "name.fi") else { throw error }
                return try await showGoal(web, code: code, typed: form, errors: errors)
            }
        }
    }

    func show(_ web: WebRequest, note: String, errors: [PageFrame.FieldError]) async throws -> Response {
        let s = web.strings
        let versions = try await services.catalogue.versions()
        let draft = versions.first { $0.status == "draft" }
        var themes: [DraftTheme] = []
        if draft != nil {
            let (_, document, _) = try await services.catalogue.draft(create: false)
            themes = document.themes.map { theme in
                DraftTheme(
                    code: theme.code, name: "\(theme.code) \(theme.name.text(web.language))",
                    goals: theme.goals.map {
                        DraftGoal(code: $0.code, name: $0.name.text(web.language), href: "/platform/catalogue/draft/goals/\($0.code)")
                    })
            }
        }
        let model = Model(
            versions: versions.map { version in
                VersionRow(
                    version: version.version, status: StatusBadge(version.status, s), note: version.note,
                    published: Formatting.dateTime(version.publishedAt, web.language), goals: version.goalCount)
            },
            hasDraft: draft != nil, draftVersion: draft?.version ?? 0, themes: themes, note: note)
        return pages.response(
            "platform-catalogue", title: s["catalogue_editor_title"], page: model, web: web,
            status: errors.isEmpty ? .ok : .unprocessableContent,
            errors: errors)
    }

    func showGoal(_ web: WebRequest, code: String, typed: FormData?, errors: [PageFrame.FieldError]) async throws -> Response {
        let (_, document, _) = try await services.catalogue.draft(create: false)
        guard let goal = document.themes.flatMap(\.goals).first(where: { $0.code == code }) else {
            throw LuotsiError.notFound("goal \(code) in the draft")
        }
        let fields = Navigation.languageNames.map { language, label in
            LanguageFields(
                code: language.rawValue, label: label, name: typed?.raw("name-\(language.rawValue)") ?? goal.name.text(language),
                description: typed?.raw("description-\(language.rawValue)") ?? goal.description.text(language))
        }
        return pages.response(
            "platform-catalogue-goal", title: web.strings.format("catalogue_goal_edit_title", ["code": code]),
            page: GoalModel(
                code: code, fields: fields,
                indicators: CatalogueIndicatorRows.rows(existing: goal.indicators, typed: typed, blank: 1, web.strings),
                rows: goal.indicators.count + 1), web: web, status: errors.isEmpty ? .ok : .unprocessableContent, errors: errors)
    }
}
