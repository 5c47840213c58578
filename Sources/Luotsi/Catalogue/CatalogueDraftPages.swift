import Foundation
import Hummingbird

/// The catalogue editor's pages for the draft's structure: an intention's name and statement, a
/// new goal in any intention (with its first indicator), and retiring a goal. A goal's wording and
/// indicators are edited on its own page (`CatalogueEditorPages`).
struct CatalogueDraftPages {
    let services: AppServices
    let pages: PageRenderer

    struct TextFields: Sendable {
        let code: String
        let label: String
        let name: String
        let text: String
    }

    struct ThemeModel: Sendable {
        let code: String
        let fields: [TextFields]
    }

    struct NewGoalModel: Sendable {
        let themeCode: String
        let themeName: String
        let fields: [TextFields]
        /// The new goal's first indicator (one blank row).
        let indicator: CatalogueIndicatorRows.Row?
    }

    func register(on web: WebRouter) {
        web.platform(.get, "/platform/catalogue/draft/themes/:code", .manageCatalogue) { web, _ in
            try await showTheme(web, code: web.context.parameters.get("code") ?? "")
        }
        web.platform(.post, "/platform/catalogue/draft/themes/:code", .manageCatalogue) { web, admin in
            let code = web.context.parameters.get("code") ?? ""
            let form = web.form
            do {
                _ = try await services.catalogue.updateDraftTheme(
                    code: code, name: Self.localized(form, "name"), statement: Self.localized(form, "statement"), by: .admin(admin))
                return PageRenderer.redirect("/platform/catalogue?notice=draft_theme_saved")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "name.fi") else { throw error }
                return try await showTheme(web, code: code, typed: form, errors: errors)
            }
        }
        web.platform(.get, "/platform/catalogue/draft/themes/:code/goals/new", .manageCatalogue) { web, _ in
            try await showNewGoal(web, themeCode: web.context.parameters.get("code") ?? "")
        }
        web.platform(.post, "/platform/catalogue/draft/themes/:code/goals", .manageCatalogue) { web, admin in
            let themeCode = web.context.parameters.get("code") ?? ""
            let form = web.form
            do {
                let name = Self.localized(form, "name")
                let description = Self.localized(form, "description")
                try name.validate(field: "name", maxLength: 300)
                try description.validate(field: "description")
                let indicators = try CatalogueIndicatorRows.parse(form, rows: 1)
                // Checked before anything is stored: the goal and its indicator land together or not at all.
                let goal = try await services.catalogue.addDraftGoal(
                    themeCode: themeCode, name: name, description: description, indicators: indicators, by: .admin(admin))
                return PageRenderer.redirect("/platform/catalogue/draft/goals/\(goal.code)?notice=draft_goal_added")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "name.fi") else { throw error }
                return try await showNewGoal(web, themeCode: themeCode, typed: form, errors: errors)
            }
        }
        web.platform(.post, "/platform/catalogue/draft/goals/:code/retire", .manageCatalogue) { web, admin in
            try await services.catalogue.retireDraftGoal(code: web.context.parameters.get("code") ?? "", by: .admin(admin))
            return PageRenderer.redirect("/platform/catalogue?notice=draft_goal_retired")
        }
    }

    /// A text in each language, from the form's `<prefix>-fi`, `-sv` and `-en`.
    static func localized(_ form: FormData, _ prefix: String) -> Localized {
        Localized(fi: form.raw("\(prefix)-fi"), sv: form.raw("\(prefix)-sv"), en: form.raw("\(prefix)-en"))
    }

    func showTheme(_ web: WebRequest, code: String, typed: FormData? = nil, errors: [PageFrame.FieldError] = []) async throws -> Response {
        let (_, document, _) = try await services.catalogue.draft(create: false)
        guard let theme = document.themes.first(where: { $0.code == code }) else {
            throw LuotsiError.notFound("intention \(code) in the draft")
        }
        let fields = Navigation.languageNames.map { language, label in
            TextFields(
                code: language.rawValue, label: label, name: typed?.raw("name-\(language.rawValue)") ?? theme.name.text(language),
                text: typed?.raw("statement-\(language.rawValue)") ?? theme.statement.text(language))
        }
        return pages.response(
            "platform-catalogue-theme", title: web.strings.format("catalogue_theme_edit_title", ["code": code]),
            page: ThemeModel(code: code, fields: fields), web: web, status: errors.isEmpty ? .ok : .unprocessableContent, errors: errors)
    }

    func showNewGoal(_ web: WebRequest, themeCode: String, typed: FormData? = nil, errors: [PageFrame.FieldError] = []) async throws
        -> Response
    {
        let (_, document, _) = try await services.catalogue.draft(create: false)
        guard let theme = document.themes.first(where: { $0.code == themeCode }) else {
            throw LuotsiError.notFound("intention \(themeCode) in the draft")
        }
        let fields = Navigation.languageNames.map { language, label in
            TextFields(
                code: language.rawValue, label: label, name: typed?.raw("name-\(language.rawValue)") ?? "",
                text: typed?.raw("description-\(language.rawValue)") ?? "")
        }
        let model = NewGoalModel(
            themeCode: themeCode, themeName: "\(theme.code) \(theme.name.text(web.language))", fields: fields,
            indicator: CatalogueIndicatorRows.rows(existing: [], typed: typed, blank: 1, web.strings).first)
        return pages.response(
            "platform-catalogue-new-goal", title: web.strings.format("catalogue_new_goal_title", ["intention": model.themeName]),
            page: model,
            web: web, status: errors.isEmpty ? .ok : .unprocessableContent, errors: errors)
    }
}

/// A catalogue goal's indicators as form rows (`indicators-<n>-…`): each language's name and
/// description, unit, direction, target and target year. A blank row adds nothing.
enum CatalogueIndicatorRows {
    struct Row: Sendable {
        let index: Int
        let number: Int
        let code: String
        let isNew: Bool
        let texts: [Texts]
        let unit: String
        let directionOptions: [Option]
        let target: String
        let targetYear: String
    }

    struct Texts: Sendable {
        let code: String
        let label: String
        let name: String
        let description: String
    }

    static let directions = ["increase", "decrease", "maintain"]

    static func rows(existing: [CatalogueDocument.Indicator], typed: FormData?, blank: Int, _ s: Strings) -> [Row] {
        (0..<(existing.count + blank)).map { index in
            let stored = index < existing.count ? existing[index] : nil
            func value(_ field: String, _ current: String) -> String { typed?.raw("indicators-\(index)-\(field)") ?? current }
            let direction = value("direction", stored?.direction ?? "increase")
            return Row(
                index: index, number: index + 1, code: stored?.code ?? "", isNew: stored == nil,
                texts: Navigation.languageNames.map { language, label in
                    Texts(
                        code: language.rawValue, label: label, name: value("name-\(language.rawValue)", stored?.name.text(language) ?? ""),
                        description: value("description-\(language.rawValue)", stored?.description.text(language) ?? ""))
                },
                unit: value("unit", stored?.unit ?? ""),
                directionOptions: directions.map { Option(value: $0, label: s["direction_\($0)"], selected: $0 == direction) },
                target: value("target", stored?.target.map { "\($0)" } ?? ""),
                targetYear: value("targetYear", stored?.targetYear.map(String.init) ?? ""))
        }
    }

    /// The indicators the form's `rows` describe, checked with fields named after the rows
    /// (`indicators[n].name.fi` for row n), leaving out blank rows and rows marked for removal.
    static func parse(_ form: FormData, rows: Int) throws -> [CatalogueDocument.Indicator] {
        var indicators: [CatalogueDocument.Indicator] = []
        for index in 0..<rows {
            let prefix = "indicators-\(index)-"
            let name = CatalogueDraftPages.localized(form, prefix + "name")
            let description = CatalogueDraftPages.localized(form, prefix + "description")
            let code = form.raw(prefix + "code")
            let blank = [name.fi, name.sv, name.en, description.fi, description.sv, description.en, form.raw(prefix + "target")]
                .allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
            if form.text(prefix + "remove") == "yes" || (code.isEmpty && blank) { continue }
            let field = "indicators[\(index)]"
            try name.validate(field: "\(field).name", maxLength: 300)
            try description.validate(field: "\(field).description")
            let unit = try TextRules.limited(
                form.raw(prefix + "unit").trimmingCharacters(in: .whitespaces), field: "\(field).unit", max: 40)
            let direction = form.raw(prefix + "direction")
            guard directions.contains(direction) else {
                throw LuotsiError.invalid(field: "\(field).direction", reason: "must be increase, decrease or maintain")
            }
            let targetYear = try form.int(prefix + "targetYear", field: "\(field).targetYear")
            if let targetYear, !(2000...2100).contains(targetYear) {
                throw LuotsiError.invalid(field: "\(field).targetYear", reason: "must be a year from 2000 to 2100")
            }
            indicators.append(
                CatalogueDocument.Indicator(
                    code: code, name: name, description: description, unit: unit, direction: direction,
                    target: try form.decimal(prefix + "target", field: "\(field).target"), targetYear: targetYear))
        }
        return indicators
    }
}
