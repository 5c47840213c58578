import Foundation
import Hummingbird
import Postgres

/// Procurements by phase, a new procurement, and the procurement page with its goals, tasks,
/// members, phase change, impact assessment and task creation — over `ProcurementRepository`
/// and `TaskRepository`, as the API.
struct ProcurementPages {
    let services: AppServices
    let pages: PageRenderer

    struct Row: Sendable {
        let href: String
        let title: String
        let reference: String
        let lead: String
        let value: String
        let goals: Int
    }

    struct PhaseGroup: Sendable {
        let key: String
        let phase: String
        let rows: [Row]
        let hasRows: Bool
    }

    struct ListModel: Sendable {
        let groups: [PhaseGroup]
        let canCreate: Bool
        let nextHref: String?
        let firstHref: String?
    }

    struct NewModel: Sendable {
        let title: String
        let reference: String
        let category: String
        let estimatedValue: String
        let phaseOptions: [Option]
        let leadOptions: [Option]
        let members: [MemberChoice]
    }

    struct MemberChoice: Sendable {
        let id: String
        let name: String
        let checked: Bool
    }

    func register(on web: WebRouter) {
        web.member(.get, "/procurements", .readOrganisation) { web, member in
            let s = web.strings
            let page = try PageRequest(limit: 200, request: web.request)
            let list = try await services.readingOrganisation(member, cached: ProcurementRepository.listKey(phase: nil, page: page)) {
                try await services.procurements.list(phase: nil, page: page, on: $0)
            }
            let groups = ProcurementPhase.allCases.map { phase in
                let rows = list.items.filter { $0.phase == phase.rawValue }.map { item in
                    Row(
                        href: "/procurements/\(item.id.uuidString)", title: item.title, reference: item.reference ?? "",
                        lead: item.leadName ?? "",
                        value: Formatting.euros(item.estimatedValue, web.language), goals: item.goals.count)
                }
                return PhaseGroup(key: phase.rawValue, phase: s["phase_\(phase.rawValue)"], rows: rows, hasRows: !rows.isEmpty)
            }
            let model = ListModel(
                groups: groups, canCreate: Permissions.allows(AccessRole(.member(member)), .manageProcurements),
                nextHref: list.nextCursor.map { "/procurements?cursor=\($0)" }, firstHref: page.after > 0 ? "/procurements" : nil)
            return pages.response("procurements", title: s["procurements_title"], page: model, web: web)
        }
        web.member(.get, "/procurements/new", .manageProcurements) { web, member in
            try await newPage(web, member, form: nil, errors: [])
        }
        web.member(.post, "/procurements", .manageProcurements) { web, member in
            let form = web.form
            do {
                let input = NewProcurementInput(
                    title: form.raw("title"), reference: form.text("reference"), category: form.text("category"),
                    estimatedValue: try form.decimal("estimatedValue"), phase: form.text("phase"), leadId: try form.uuid("leadId"),
                    memberIds: try form.all("memberIds").map { text in
                        guard let id = UUID(uuidString: text) else {
                            throw LuotsiError.invalid(field: "memberIds", reason: "must be chosen from the list")
                        }
                        return id
                    }, impact: nil)
                let created = try await services.inOrganisation(member) {
                    try await services.procurements.create(input, by: member, on: $0)
                }
                return PageRenderer.redirect("/procurements/\(created.id.uuidString)?notice=procurement_created")
            } catch {
                guard let errors = FormErrors.entries(error, strings: web.strings, defaultField: "title") else { throw error }
                return try await newPage(web, member, form: form, errors: errors)
            }
        }
    }

    private func newPage(_ web: WebRequest, _ member: Identity.Member, form: FormData?, errors: [PageFrame.FieldError]) async throws
        -> Response
    {
        let s = web.strings
        let directory = try await services.readingOrganisation(member) { try await People.read().read(on: $0) }
        let phase = form?.text("phase") ?? ProcurementPhase.needsAssessment.rawValue
        let lead = (try? form?.uuid("leadId")) ?? member.id
        let chosen = Set(form?.all("memberIds") ?? [])
        let model = NewModel(
            title: form?.raw("title") ?? "", reference: form?.raw("reference") ?? "", category: form?.raw("category") ?? "",
            estimatedValue: form?.raw("estimatedValue") ?? "",
            phaseOptions: ProcurementPhase.allCases.map {
                Option(value: $0.rawValue, label: s["phase_\($0.rawValue)"], selected: $0.rawValue == phase)
            },
            leadOptions: directory.options(selected: lead, emptyLabel: nil),
            members: directory.users.filter(\.active).map {
                MemberChoice(id: $0.id.uuidString, name: $0.name, checked: chosen.contains($0.id.uuidString))
            })
        return pages.response(
            "procurement-new", title: s["procurement_new_title"], page: model, web: web,
            status: errors.isEmpty ? .ok : .unprocessableContent,
            errors: errors)
    }
}

extension PageRequest {
    /// A page of `limit` (unless `?limit=` says otherwise) from the request's cursor.
    init(limit: Int, request: Request) throws {
        let asked = try PageRequest(request: request)
        self.init(limit: RequestValues.nonEmptyQuery(request, "limit") == nil ? limit : asked.limit, after: asked.after)
    }
}
