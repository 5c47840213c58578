import Foundation
import Hummingbird

/// The workshop pages. `/workshops` lists and creates them; everything else is under the join
/// link `/w/<code>`: the board (members of the organisation as themselves, guests by their
/// pass), the join page for anyone else, the big screen and the printable summary. Every
/// change is a form post answered by a redirect back to the board, so the board works without
/// JavaScript; with it, `workshop.js` keeps the board live (`WorkshopLive`).
struct WorkshopPages {
    let services: AppServices
    let pages: PageRenderer

    struct ListRow: Sendable {
        let title: String
        let href: String
        let phaseText: String
        let meta: String
    }

    struct ListModel: Sendable {
        let rows: [ListRow]
        let hasRows: Bool
        let canCreate: Bool
        let focusOptions: [WorkshopBoardView.Option]
    }

    struct JoinModel: Sendable {
        let code: String
        let title: String
        let closed: Bool
        let guestForm: Bool
        let signInHref: String
        let full: Bool
    }

    struct CodeModel: Sendable {
        let code: String
    }

    struct BoardModel: Sendable {
        let board: WorkshopBoardView
        let livePath: String
        let screenHref: String
        let summaryHref: String?
        let joinURL: String
    }

    struct SummaryModel: Sendable {
        let board: WorkshopBoardView
        /// What an idea without a decision comes to: an idea in the funnel once closed.
        let undecidedText: String
        let participants: [String]
        let createdText: String
        let closedText: String?
    }

    func register(on web: WebRouter) {
        let workshops = services.workshops
        web.member(.get, "/workshops", .readOrganisation) { web, member in
            let s = web.strings
            let list = try await services.readingOrganisation(member, cached: "workshops") { try await workshops.list(on: $0) }
            let rows = list.map { item in
                ListRow(
                    title: item.title, href: "/w/\(item.joinCode)", phaseText: s["workshop_phase_\(item.phase.rawValue)"],
                    meta: s.format(
                        "workshop_list_meta",
                        [
                            "facilitator": item.facilitatorName, "date": Formatting.dateTime(item.createdAt, web.language),
                            "ideas": s.counted("workshop_ideas_count", item.ideas),
                            "people": s.counted("workshop_people", item.participants),
                        ]))
            }
            let canCreate = Permissions.allows(member, .runWorkshop)
            let focus = canCreate ? try await focusOptions(for: member, strings: s) : []
            return pages.response(
                "workshops", title: s["workshops_title"],
                page: ListModel(rows: rows, hasRows: !rows.isEmpty, canCreate: canCreate, focusOptions: focus), web: web)
        }
        web.member(.post, "/workshops", .runWorkshop) { web, member in
            let form = web.form
            let focus = form.raw("focus").isEmpty ? nil : UUID(uuidString: form.raw("focus"))
            if !form.raw("focus").isEmpty && focus == nil { throw LuotsiError.invalid(field: "focus", reason: "is not one of the choices") }
            let input = try NewWorkshop(
                title: form.raw("title"), focus: focus, votesPerPerson: try Self.number(form, "votesPerPerson"),
                votesPerIdea: form.raw("severalVotesPerIdea") == "1" ? (try Self.number(form, "votesPerPerson") ?? 3) : 1,
                anonymousIdeas: form.raw("anonymousIdeas") == "1", guests: form.raw("guests") == "1",
                guestLimit: try Self.number(form, "guestLimit"), phaseMinutes: try Self.number(form, "phaseMinutes"))
            let created = try await services.inOrganisation(member) { try await workshops.create(input, by: member, on: $0) }
            return PageRenderer.redirect(created.joinPath)
        }
        web.open(.get, "/join") { web, _ in
            if let typed = RequestValues.nonEmptyQuery(web.request, "code") {
                guard let code = WorkshopDirectory.normalised(typed) else {
                    throw LuotsiError.invalid(field: "code", reason: "a join code is six letters and digits, such as K7M4QX")
                }
                return PageRenderer.redirect("/w/\(code)")
            }
            return pages.response("workshop-code", title: web.strings["workshop_join_title"], page: CodeModel(code: ""), web: web)
        }
        web.open(.get, "/w/:code") { web, _ in
            let (location, actor) = try await viewer(web)
            guard let actor else { return try await joinPage(web, location) }
            let state = try await services.workshopState(location.workshopID, in: location.schema, role: nil)
            let board = state.seen(by: actor)
            let view = WorkshopBoardView(board, strings: web.strings, csrf: web.csrf, language: web.language)
            let isMember = if case .member = actor { true } else { false }
            return pages.response(
                "workshop", title: board.title,
                page: BoardModel(
                    board: view, livePath: "/w/\(location.code)/live", screenHref: "/w/\(location.code)/screen",
                    summaryHref: isMember ? "/w/\(location.code)/summary" : nil, joinURL: joinURL(web, location.code)),
                web: web)
        }
        web.open(.post, "/w/:code/guest") { web, _ in
            let (location, actor) = try await viewer(web)
            if actor != nil { return PageRenderer.redirect("/w/\(location.code)") }
            let (secret, hash) = WorkshopDirectory.newSecret()
            _ = try await services.tenants.withTenant(location.schema) {
                try await workshops.admitGuest(name: web.form.raw("name"), secretHash: hash, to: location.workshopID, on: $0)
            }
            return PageRenderer.redirect(
                "/w/\(location.code)", cookies: [WorkshopDirectory.cookie(code: location.code, secret: secret, secure: web.secureCookies)])
        }
        web.open(.post, "/w/:code/ideas") { web, _ in
            let (location, actor) = try await participant(web)
            let anonymous = web.form.raw("anonymous") == "1"
            _ = try await inWorkshop(location, actor) {
                try await workshops.addIdea(
                    text: web.form.raw("text"), rationale: web.form.raw("rationale"), anonymous: anonymous ? true : nil,
                    to: location.workshopID,
                    by: actor, on: $0)
            }
            return PageRenderer.redirect("/w/\(location.code)#ideas")
        }
        web.open(.post, "/w/:code/ideas/:idea/vote") { web, _ in
            let (location, actor) = try await participant(web)
            let idea = try RequestValues.uuid(web.context, "idea")
            let add: Bool
            switch web.form.raw("change") {
            case "add": add = true
            case "remove": add = false
            default: throw LuotsiError.invalid(field: "change", reason: "must be add or remove")
            }
            try await inWorkshop(location, actor) { try await workshops.vote(add, on: idea, in: location.workshopID, by: actor, on: $0) }
            return PageRenderer.redirect("/w/\(location.code)#idea-\(idea.uuidString.lowercased())")
        }
        web.member(.post, "/w/:code/phase", .runWorkshop) { web, member in
            let location = try await memberLocation(web, member)
            guard let phase = WorkshopPhase(rawValue: web.form.raw("phase")) else {
                throw LuotsiError.invalid(field: "phase", reason: "must be gathering, voting, deciding or closed")
            }
            try await services.inOrganisation(member) {
                try await workshops.setPhase(phase, of: location.workshopID, by: member, goals: services.goals, on: $0)
            }
            return PageRenderer.redirect("/w/\(location.code)")
        }
        web.member(.post, "/w/:code/ideas/:idea/decision", .runWorkshop) { web, member in
            let location = try await memberLocation(web, member)
            let idea = try RequestValues.uuid(web.context, "idea")
            guard let decision = WorkshopDecision(rawValue: web.form.raw("to")) else {
                throw LuotsiError.invalid(field: "to", reason: "must be shortlisted or rejected")
            }
            try await services.inOrganisation(member) {
                try await workshops.decide(idea, decision, reason: web.form.raw("reason"), in: location.workshopID, by: member, on: $0)
            }
            return PageRenderer.redirect("/w/\(location.code)#idea-\(idea.uuidString.lowercased())")
        }
        web.member(.post, "/w/:code/ideas/:idea/merge", .runWorkshop) { web, member in
            let location = try await memberLocation(web, member)
            let idea = try RequestValues.uuid(web.context, "idea")
            guard let into = UUID(uuidString: web.form.raw("into")) else {
                throw LuotsiError.invalid(field: "into", reason: "choose the idea to merge it into")
            }
            try await services.inOrganisation(member) {
                try await workshops.merge(idea, into: into, in: location.workshopID, by: member, on: $0)
            }
            return PageRenderer.redirect("/w/\(location.code)#ideas")
        }
        web.open(.get, "/w/:code/screen") { web, _ in
            let (location, actor) = try await participant(web)
            let board = try await services.workshopState(location.workshopID, in: location.schema, role: nil).seen(by: actor)
            // The projector shows the board as everyone sees it: no one's own votes, no buttons.
            var shown = board
            shown.you = nil
            let view = WorkshopBoardView(shown, strings: web.strings, csrf: web.csrf, language: web.language)
            return pages.response(
                "workshop-screen", title: board.title,
                page: BoardModel(
                    board: view, livePath: "/w/\(location.code)/live?screen=1", screenHref: "/w/\(location.code)/screen", summaryHref: nil,
                    joinURL: joinURL(web, location.code)),
                web: web)
        }
        web.member(.get, "/w/:code/summary", .readOrganisation) { web, member in
            let location = try await memberLocation(web, member)
            var board = try await services.workshopState(location.workshopID, in: location.schema, role: member.databaseRole).board
            board.you = nil
            let s = web.strings
            let view = WorkshopBoardView(board, strings: s, csrf: web.csrf, language: web.language)
            let participants = board.participants.map { $0.guest ? s.format("workshop_guest_name", ["name": $0.name]) : $0.name }
            return pages.response(
                "workshop-summary", title: s.format("workshop_summary_title", ["title": board.title]),
                page: SummaryModel(
                    board: view, undecidedText: s[board.phase == .closed ? "workshop_undecided" : "workshop_undecided_yet"],
                    participants: participants,
                    createdText: s.format(
                        "workshop_summary_created",
                        ["date": Formatting.dateTime(board.createdAt, web.language), "facilitator": board.facilitatorName]),
                    closedText: board.closedAt.map { s.format("workshop_summary_closed", ["date": Formatting.dateTime($0, web.language)]) }),
                web: web)
        }
    }

    // MARK: - Who is looking

    /// The workshop the address names and who is looking: a member of its organisation, a guest
    /// with a pass to it, or nobody known (`nil`). A member of another organisation, or a
    /// platform administrator, learns nothing of it (404).
    private func viewer(_ web: WebRequest) async throws -> (WorkshopDirectory.Location, WorkshopActor?) {
        guard let code = web.context.parameters.get("code"), let location = try await services.workshopDirectory.find(code),
            location.code == code
        else { throw LuotsiError.notFound("workshop") }
        switch web.identity {
        case .member(let member):
            guard member.organisation.schema == location.schema else { throw LuotsiError.notFound("workshop") }
            return (location, .member(member))
        case .platformAdmin:
            throw LuotsiError.notFound("workshop")
        case nil:
            return (location, try await services.workshopGuest(web.request.cookies, at: location).map(WorkshopActor.guest))
        }
    }

    /// As `viewer`, for someone who must be taking part: nobody known is asked to sign in.
    private func participant(_ web: WebRequest) async throws -> (WorkshopDirectory.Location, WorkshopActor) {
        let (location, actor) = try await viewer(web)
        guard let actor else { throw LuotsiError.unauthenticated }
        return (location, actor)
    }

    private func memberLocation(_ web: WebRequest, _ member: Identity.Member) async throws -> WorkshopDirectory.Location {
        guard let code = web.context.parameters.get("code"), let location = try await services.workshopDirectory.find(code),
            location.code == code, location.schema == member.organisation.schema
        else { throw LuotsiError.notFound("workshop") }
        return location
    }

    private func inWorkshop<T: Sendable>(
        _ location: WorkshopDirectory.Location, _ actor: WorkshopActor, _ body: (TenantConnection) async throws -> T
    ) async throws -> T {
        switch actor {
        case .member(let member): try await services.inOrganisation(member, body)
        case .guest: try await services.tenants.withTenant(location.schema, body)
        }
    }

    private func joinPage(_ web: WebRequest, _ location: WorkshopDirectory.Location) async throws -> Response {
        let board = try await services.workshopState(location.workshopID, in: location.schema, role: nil).board
        let guests = board.participants.count(where: \.guest)
        let model = JoinModel(
            code: location.code, title: board.title, closed: board.phase == .closed,
            guestForm: board.guestsAllowed && board.phase != .closed && guests < board.guestLimit,
            signInHref: "/?next=%2Fw%2F\(location.code)", full: board.guestsAllowed && guests >= board.guestLimit)
        return pages.response("workshop-join", title: board.title, page: model, web: web)
    }

    /// The organisation goals and procurements a workshop can be about.
    private func focusOptions(for member: Identity.Member, strings s: Strings) async throws -> [WorkshopBoardView.Option] {
        try await services.readingOrganisation(member, cached: "workshops.focus") { try await services.workshops.focusChoices(on: $0) }.map
        {
            WorkshopBoardView.Option(
                id: $0.id.uuidString.lowercased(),
                text: s.format($0.kind == .goal ? "workshop_focus_goal" : "workshop_focus_procurement", ["name": $0.title]))
        }
    }

    /// The join link as people type it on their phones: the address this page was reached at
    /// (the others in the room reach the same one), else the configured public address.
    private func joinURL(_ web: WebRequest, _ code: String) -> String {
        if let authority = web.request.head.authority, !authority.isEmpty {
            return "\(web.secureCookies ? "https" : "http")://\(authority)/w/\(code)"
        }
        return services.mail.publicURL.appendingPathComponent("w").appendingPathComponent(code).absoluteString
    }

    static func number(_ form: FormData, _ field: String) throws -> Int? {
        let text = form.raw(field).trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        guard let value = Int(text) else { throw LuotsiError.invalid(field: field, reason: "must be a whole number") }
        return value
    }
}
