import Foundation
import Postgres

/// Realistic content for the local demo organisation: goals in every funnel state,
/// procurements in several phases, tasks, comments, support and check-ins over past months.
/// Written through the same repositories as the API, so it is audited like any other work.
public struct DemoContent: Sendable {
    let services: AppServices
    let management: Identity.Member
    let lead: Identity.Member
    let staff: Identity.Member

    public init(services: AppServices, organisation: Organisation, management: User, lead: User, staff: User) {
        self.services = services
        func member(_ user: User) -> Identity.Member {
            .init(id: user.id, email: user.email, name: user.name, role: user.role, organisation: organisation, language: nil)
        }
        self.management = member(management)
        self.lead = member(lead)
        self.staff = member(staff)
    }

    public func seed() async throws {
        let catalogue = try await services.catalogue.view(language: .fi)
        let codes = Dictionary(uniqueKeysWithValues: catalogue.themes.flatMap(\.goals).map { ($0.code, $0.id) })
        try await services.inOrganisation(management) { connection in
            try await seed(codes: codes, on: connection)
        }
    }

    private func seed(codes: [String: UUID], on connection: TenantConnection) async throws {
        let today = try await connection.query("SELECT current_date AS d").one().decode("d", as: CalendarDate.self)
        func date(_ days: Int) -> CalendarDate { today.adding(days: days) }

        // Procurements in several phases.
        let food = try await procurement(
            "Koulujen ja päiväkotien ruokapalvelut 2027–2030", reference: "DEMO/2026/14", category: "Ruokapalvelut", value: 4_800_000,
            phase: .tenderingAward, impact: ImpactInput(target: ["responsibility": 2, "quality": 2, "cost_savings": 1], achieved: nil),
            on: connection)
        let cars = try await procurement(
            "Kaupungin henkilöautojen leasing", reference: "DEMO/2026/21", category: "Ajoneuvot", value: 950_000, phase: .marketEngagement,
            impact: ImpactInput(target: ["responsibility": 2, "innovation": 1], achieved: nil), on: connection)
        let cleaning = try await procurement(
            "Toimitilojen siivouspalvelut", reference: "DEMO/2023/05", category: "Siivous", value: 1_200_000, phase: .contractManagement,
            impact: ImpactInput(target: ["responsibility": 1, "quality": 2], achieved: ["responsibility": 2, "quality": 1]), on: connection)
        let records = try await procurement(
            "Asiakastietojärjestelmän uudistus", reference: nil, category: "ICT", value: 2_500_000, phase: .needsAssessment,
            impact: ImpactInput(target: ["innovation": 2, "competence_growth": 1], achieved: nil), on: connection)

        // Organisation goals, adopted from the catalogue or the organisation's own, in every state.
        let climate = try await goal(nil, catalogue: codes["EL-1"], level: .organisation, priority: 1, by: management, on: connection)
        try await move(climate, ["shortlisted"], on: connection)
        try await schedule(
            climate, owner: management.id, start: date(-200), due: date(900),
            milestones: [MilestoneInput(title: "Hiilijalanjälki laskettu kaikista kilpailutuksista", due: date(60), done: false)],
            indicators: [
                IndicatorInput(name: "Ajoneuvohankintojen päästöttömien osuus", unit: "%", baseline: 15, target: 60, direction: "increase")
            ],
            on: connection)
        let strategy = try await goal(nil, catalogue: codes["SM-1"], level: .organisation, priority: 1, by: management, on: connection)
        try await move(strategy, ["shortlisted"], on: connection)
        let training = try await goal(
            "Hankintaosaamisen koulutusohjelma koko henkilöstölle", catalogue: nil, level: .organisation, priority: 2, by: lead,
            on: connection)
        try await move(training, ["shortlisted"], on: connection)
        try await schedule(training, owner: lead.id, start: date(-400), due: date(-30), milestones: [], indicators: [], on: connection)
        try await move(training, ["achieved"], reason: "Koulutus pidetty: 84 osallistujaa, palaute 4,3/5.", on: connection)
        _ = try await goal(nil, catalogue: codes["IN-3"], level: .organisation, priority: 2, by: lead, on: connection)
        let smallFirms = try await goal(
            "Pk-yritysten osuus tarjoajista kaksinkertaiseksi", catalogue: nil, level: .organisation, priority: 3, by: staff, on: connection
        )
        try await move(smallFirms, ["rejected"], reason: "Sisältyy jo markkinavuoropuhelutavoitteeseen.", on: connection)
        let paper = try await goal(
            "Paperittomat tarjouspyynnöt", catalogue: nil, level: .organisation, priority: 3, by: lead, on: connection)
        try await move(paper, ["shortlisted", "dropped"], reason: "Toteutunut jo kilpailutusjärjestelmän myötä.", on: connection)
        let furniture = try await goal(
            "Kierrätettyjä kalusteita uusien sijaan", catalogue: nil, level: .organisation, priority: nil, by: staff, on: connection)
        _ = try await services.discussion.addComment(
            CommentInput(text: "Hyvä idea – kalustevarastossa on paljon käyttökelpoista."), on: furniture, by: lead, on: connection)
        _ = try await services.discussion.setSupport(true, on: furniture, by: management, on: connection)
        _ = try await services.discussion.setSupport(true, on: furniture, by: lead, on: connection)

        // Procurement goals with tasks and follow-up.
        let vegetarian = try await goal(
            "Kasvisruoan osuus 40 % aterioista", catalogue: nil, level: .procurement, procurement: food, priority: 1, by: lead,
            align: [climate], on: connection)
        try await move(vegetarian, ["shortlisted"], on: connection)
        try await schedule(
            vegetarian, owner: lead.id, start: date(-150), due: date(500), milestones: [],
            indicators: [IndicatorInput(name: "Kasvisaterioiden osuus", unit: "%", baseline: 20, target: 40, direction: "increase")],
            on: connection)
        let zeroEmission = try await goal(
            "Päästöttömät ajoneuvot leasingsopimukseen", catalogue: nil, level: .procurement, procurement: cars, priority: 1, by: lead,
            align: [climate], on: connection)
        try await move(zeroEmission, ["shortlisted"], on: connection)
        try await schedule(zeroEmission, owner: staff.id, start: date(-60), due: date(240), milestones: [], indicators: [], on: connection)
        let ecolabel = try await goal(
            "Ympäristömerkityt siivousaineet", catalogue: nil, level: .procurement, procurement: cleaning, priority: 2, by: lead,
            on: connection)
        try await move(ecolabel, ["shortlisted"], on: connection)
        // Shortlisted, waiting for the lead to schedule it.
        let openInterfaces = try await goal(
            "Avoimet rajapinnat vaatimukseksi", catalogue: codes["IN-1"], level: .procurement, procurement: records, priority: 2, by: lead,
            on: connection)
        try await move(openInterfaces, ["shortlisted"], on: connection)
        try await schedule(ecolabel, owner: lead.id, start: date(-700), due: date(-10), milestones: [], indicators: [], on: connection)

        let tasks = services.tasks
        let menu = try await tasks.create(
            try NewTask(
                title: "Kasvisruokalistan vähimmäisvaatimukset tarjouspyyntöön", goalID: vegetarian, assigneeID: staff.id, due: date(-5)),
            procurementID: food, by: lead, on: connection)
        _ = try await tasks.update(menu.id, with: try TaskChanges(status: .value("done")), by: staff, on: connection)
        _ = try await tasks.create(
            try NewTask(
                title: "Vertailuperusteet: ilmastovaikutus ja laatu", goalID: vegetarian, assigneeID: lead.id, due: date(14)),
            procurementID: food, by: lead, on: connection)
        _ = try await tasks.create(
            try NewTask(
                title: "Markkinavuoropuhelu leasingyhtiöiden kanssa", goalID: zeroEmission, assigneeID: staff.id, due: date(-3)),
            procurementID: cars, by: lead, on: connection)
        let audit = try await tasks.create(
            try NewTask(
                title: "Sopimuskatselmus: aineiden ympäristömerkinnät", goalID: ecolabel, assigneeID: staff.id, due: date(-20)),
            procurementID: cleaning, by: lead, on: connection)
        _ = try await tasks.update(audit.id, with: try TaskChanges(status: .value("done")), by: staff, on: connection)

        let indicatorID = try await connection.query("SELECT id FROM goal_indicators WHERE goal_id = \(vegetarian)").one().decode(
            "id", as: UUID.self)
        let climateIndicator = try await connection.query("SELECT id FROM goal_indicators WHERE goal_id = \(climate)").one().decode(
            "id", as: UUID.self)
        for (daysAgo, status, attainment, value, comment) in [
            (120, "on_track", 20, Decimal(24), "Tarjouspyynnön luonnos valmis."),
            (60, "at_risk", 35, Decimal(27), "Hintataso huolestuttaa."),
            (10, "on_track", 50, Decimal(31), "Kaksi tarjoajaa ylittää vaatimuksen."),
        ] {
            try await checkIn(vegetarian, status, attainment, [indicatorID: value], comment, daysAgo: daysAgo, by: lead, on: connection)
        }
        for (daysAgo, status, attainment, value) in [
            (150, "on_track", 15, Decimal(18)), (90, "on_track", 25, Decimal(24)), (45, "at_risk", 30, Decimal(26)),
        ] {
            try await checkIn(
                climate, status, attainment, [climateIndicator: value], "Seuranta", daysAgo: daysAgo, by: management, on: connection)
        }
        try await checkIn(
            ecolabel, "on_track", 70, [:], "Sopimuskausi päättyy, loppuarviointi tekeillä.", daysAgo: 40, by: lead, on: connection)
        try await move(ecolabel, ["partly_achieved"], reason: "Ympäristömerkinnät 80 %:ssa aineista; tavoite 100 %.", on: connection)

        // A workshop under way: ideas gathered from three people, voting open, guests welcome.
        let workshops = services.workshops
        let workshop = try await workshops.create(
            try NewWorkshop(title: "Ruokapalveluiden vastuullisuustavoitteet", focus: food, guests: true, phaseMinutes: 20), by: management,
            on: connection)
        func idea(_ text: String, _ rationale: String, by person: Identity.Member) async throws -> UUID {
            try await workshops.addIdea(
                text: text, rationale: rationale, anonymous: nil, to: workshop.id, by: .member(person), on: connection)
        }
        let vegetables = try await idea("Kasvisruoan osuus puoleen aterioista", "Suurin yksittäinen ilmastovaikutus.", by: staff)
        let waste = try await idea("Hävikki alle 10 %:iin", "Mittaus on jo käytössä kahdessa keittiössä.", by: lead)
        _ = try await idea("Kotimaisen kalan käyttö kahdesti viikossa", "", by: management)
        try await workshops.setPhase(.voting, of: workshop.id, by: management, goals: services.goals, on: connection)
        for (idea, by) in [(vegetables, staff), (vegetables, lead), (waste, staff)] {
            try await workshops.vote(true, on: idea, in: workshop.id, by: .member(by), on: connection)
        }
    }

    // MARK: - Helpers

    private func procurement(
        _ title: String, reference: String?, category: String, value: Decimal, phase: ProcurementPhase, impact: ImpactInput,
        on connection: TenantConnection
    ) async throws -> UUID {
        try await services.procurements.create(
            NewProcurementInput(
                title: title, reference: reference, category: category, estimatedValue: value, phase: phase.rawValue, leadId: lead.id,
                memberIds: [staff.id, lead.id], impact: impact), by: lead, on: connection
        ).id
    }

    private func goal(
        _ title: String?, catalogue: UUID?, level: GoalLevel, procurement: UUID? = nil, priority: Int?, by actor: Identity.Member,
        align: [UUID] = [],
        on connection: TenantConnection
    ) async throws -> UUID {
        try await services.goals.create(
            NewGoalInput(
                title: title, description: nil, level: level.rawValue, procurementId: procurement, catalogueGoalId: catalogue,
                alignsTo: align,
                priority: priority, themeCode: nil), by: actor, on: connection
        ).id
    }

    private func move(_ id: UUID, _ steps: [String], reason: String = "Käsitelty johtoryhmässä.", on connection: TenantConnection)
        async throws
    {
        for step in steps {
            _ = try await services.goals.transition(id, TransitionInput(to: step, reason: reason), by: management, on: connection)
        }
    }

    private func schedule(
        _ id: UUID, owner: UUID, start: CalendarDate, due: CalendarDate, milestones: [MilestoneInput], indicators: [IndicatorInput],
        on connection: TenantConnection
    ) async throws {
        _ = try await services.goals.transition(
            id,
            TransitionInput(
                to: "scheduled", reason: "Aikataulutettu hankintasuunnitelmaan.", ownerId: owner, start: start, due: due,
                milestones: milestones,
                indicators: indicators), by: management, on: connection)
    }

    /// Records a check-in, then dates it in the past so the demo has a history to chart.
    private func checkIn(
        _ goal: UUID, _ status: String, _ attainment: Int, _ values: [UUID: Decimal], _ comment: String, daysAgo: Int,
        by actor: Identity.Member,
        on connection: TenantConnection
    ) async throws {
        let checkIn = try await services.checkIns.record(
            CheckInInput(
                status: status, attainment: attainment, comment: comment,
                indicatorValues: values.map { CheckInInput.IndicatorValue(indicatorId: $0.key, value: $0.value) }), goalID: goal, by: actor,
            on: connection)
        try await connection.query(
            "UPDATE checkins SET created_at = now() - make_interval(days => \(Int32(daysAgo))) WHERE id = \(checkIn.id)")
    }
}

extension TransitionInput {
    init(to: String, reason: String) {
        self.init(to: to, reason: reason, ownerId: nil, start: nil, due: nil, milestones: nil, indicators: nil)
    }
}
