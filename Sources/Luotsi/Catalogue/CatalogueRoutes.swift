import Foundation
import HTTPTypes
import Hummingbird

/// `GET /catalogue` for every signed-in user; `/platform/catalogue/...` and `/platform/rollup`
/// for platform admins.
struct CatalogueRoutes {
    let services: AppServices

    struct GoalEdit: JSONInput {
        static let fields: Set<String> = ["name", "description"]
        static let nestedFields: [String: Set<String>] = ["name": ["fi", "sv", "en"], "description": ["fi", "sv", "en"]]
        var name: Localized?
        var description: Localized?
    }

    struct NewGoal: JSONInput {
        static let fields: Set<String> = ["name", "description"]
        static let nestedFields: [String: Set<String>] = ["name": ["fi", "sv", "en"], "description": ["fi", "sv", "en"]]
        var name: Localized
        var description: Localized
    }

    struct PublishInput: JSONInput {
        static let fields: Set<String> = ["note"]
        var note: String?
    }

    struct DraftOutput: Encodable {
        let version: Int
        let document: CatalogueDocument
    }

    static func language(_ request: Request) throws -> Language {
        try Language.choose(query: RequestValues.query(request, "lang"), acceptLanguage: request.headers[.acceptLanguage])
    }

    func register(on api: APIRouter) {
        let catalogue = services.catalogue
        api.signedIn(.get, "/api/v1/catalogue") { request, _, _ in
            try JSONOutput.response(try await catalogue.view(language: try Self.language(request)))
        }
        api.platform(.get, "/api/v1/platform/catalogue/versions", .manageCatalogue) { _, _, _ in
            try JSONOutput.response(Page(items: try await catalogue.versions(), nextCursor: nil))
        }
        api.platform(.get, "/api/v1/platform/catalogue/versions/:version", .manageCatalogue) { _, context, _ in
            guard let version = context.parameters.get("version").flatMap(Int.init) else { throw LuotsiError.notFound("catalogue version") }
            return try JSONOutput.response(try await catalogue.document(version: version))
        }
        api.platform(.get, "/api/v1/platform/catalogue/draft", .manageCatalogue) { _, _, _ in
            let (version, document, _) = try await catalogue.draft(create: false)
            return try JSONOutput.response(DraftOutput(version: version, document: document))
        }
        api.platform(.post, "/api/v1/platform/catalogue/draft", .manageCatalogue) { _, _, admin in
            let (version, document, created) = try await catalogue.draft(create: true, by: .admin(admin))
            return try JSONOutput.response(DraftOutput(version: version, document: document), status: created ? .created : .ok)
        }
        api.platform(.put, "/api/v1/platform/catalogue/draft", .manageCatalogue) { request, _, admin in
            let (_, data) = try await JSONBody.object(request)
            let document = try CatalogueDocument.read(from: data)
            let version = try await catalogue.replaceDraft(with: document, by: .admin(admin))
            return try JSONOutput.response(DraftOutput(version: version, document: document))
        }
        api.platform(.delete, "/api/v1/platform/catalogue/draft", .manageCatalogue) { _, _, admin in
            try await catalogue.discardDraft(by: .admin(admin))
            return JSONOutput.empty()
        }
        api.platform(.patch, "/api/v1/platform/catalogue/draft/goals/:code", .manageCatalogue) { request, context, admin in
            let input = try await JSONBody.decode(GoalEdit.self, from: request)
            try input.name?.validate(field: "name", maxLength: 300)
            try input.description?.validate(field: "description")
            let document = try await catalogue.updateDraftGoal(
                code: context.parameters.get("code") ?? "", name: input.name, description: input.description, by: .admin(admin))
            return try JSONOutput.response(document)
        }
        api.platform(.post, "/api/v1/platform/catalogue/draft/themes/:code/goals", .manageCatalogue) { request, context, admin in
            let input = try await JSONBody.decode(NewGoal.self, from: request)
            try input.name.validate(field: "name", maxLength: 300)
            try input.description.validate(field: "description")
            let goal = try await catalogue.addDraftGoal(
                themeCode: context.parameters.get("code") ?? "", name: input.name, description: input.description, by: .admin(admin))
            return try JSONOutput.response(goal, status: .created)
        }
        api.platform(.post, "/api/v1/platform/catalogue/draft/publish", .manageCatalogue) { request, _, admin in
            let input = try await JSONBody.decode(PublishInput.self, from: request)
            let note = input.note ?? ""
            _ = try TextRules.limited(note, field: "note", max: 2000)
            let version = try await catalogue.publishDraft(note: note, by: .admin(admin))
            return try JSONOutput.response(try await catalogue.view(language: try Self.language(request), version: version))
        }
        api.platform(.get, "/api/v1/platform/rollup", .readRollup) { request, _, _ in
            try JSONOutput.response(
                try await NationalRollup.build(cache: services.rollup, catalogue: catalogue, language: try Self.language(request)))
        }
    }
}
