import Foundation
import Hummingbird
import Logging
import Postgres

/// The long-lived dependencies of the application, built once and handed to the routes.
public struct AppServices: Sendable {
    public let pool: PostgresPool
    public let migrator: Migrator
    public let tenants: TenantDatabase
    public let organisations: OrganisationRepository
    public let transfer: OrganisationTransfer
    public let users: UserRepository
    public let catalogue: CatalogueRepository
    public let sessions: SessionStore
    public let auth: AuthService
    public let profiles: Profiles
    public let passwords: Passwords
    public let secondFactor: SecondFactor
    /// Off only in the test that shows PostgreSQL refuses cross-organisation access on its own:
    /// then a request runs in the organisation its *path* names, as the session's database role.
    public let organisationCheck: Bool
    /// Set on SIGTERM; readiness then answers 503 while requests are still served.
    public let draining = Draining()
    public let goals: GoalRepository
    public let discussion = GoalDiscussion()
    public let checkIns = CheckIns()
    public let procurements = ProcurementRepository()
    public let tasks = TaskRepository()
    public let organisationUsers = OrganisationUsers()
    /// The national catalogue files published by `migrate`, in order (`sql/catalogue/*.json`).
    public let catalogueSeeds: [URL]
    /// The national roll-up's figures, read from every organisation at most every 10 minutes.
    public let rollup: RollupCache
    public let notifications = NotificationRepository()
    public let reminders = ReminderPreferences()
    /// E-mail's settings; without an SMTP server nothing is queued (`MailSettings.isOn`).
    public let mail: MailSettings
    public let outbox: MailOutbox
    public let unsubscribeLinks: UnsubscribeLink
    public let workshops: WorkshopRepository
    /// Join codes over every organisation, and guests' passes.
    public let workshopDirectory: WorkshopDirectory
    /// Who watches which workshop board on this instance (`WorkshopLive`).
    public let workshopRooms: WorkshopRooms
    /// The interface texts, for what is written outside a page (e-mail).
    let translations: Translations
    /// Wakes this instance's mail sender when any instance queues a message (`luotsi_mail`).
    let mailWake = Wakeup()

    /// Wires everything over one pool, reading migrations from `sqlDirectory`.
    public init(
        pool: PostgresPool, sqlDirectory: URL, platformSchema: SchemaName = .platform,
        tenantMigrations: [Migration]? = nil, catalogueSeeds: [URL]? = nil, sessionLifetime: Duration = .seconds(12 * 3600),
        sessionIdle: Duration = .seconds(2 * 3600), organisationCheck: Bool = true, organisationsPerConnection: Int = 2000,
        secretKeys: SecretKeys = .none, readCache: ReadModelCache = ReadModelCache(), mail: MailSettings = .off,
        logger: Logger = Logger(label: "luotsi")
    ) throws {
        self.organisationCheck = organisationCheck
        let migrator = Migrator(
            pool: pool, platformSchema: platformSchema,
            platformMigrations: try Migration.load(from: sqlDirectory.appendingPathComponent("platform")),
            tenantMigrations: try tenantMigrations ?? Migration.load(from: sqlDirectory.appendingPathComponent("tenant")),
            logger: logger)
        self.pool = pool
        self.migrator = migrator
        self.tenants = TenantDatabase(pool: pool, organisationsPerConnection: organisationsPerConnection, readCache: readCache)
        self.organisations = OrganisationRepository(pool: pool, migrator: migrator)
        self.transfer = OrganisationTransfer(pool: pool, organisations: organisations, migrator: migrator, keys: secretKeys)
        self.users = UserRepository(tenants: tenants, organisations: organisations)
        self.catalogue = CatalogueRepository(pool: pool, platform: platformSchema)
        self.sessions = SessionStore(
            pool: pool, platform: platformSchema, tenants: tenants, lifetime: sessionLifetime, idleTimeout: sessionIdle)
        self.profiles = Profiles(tenants: tenants, pool: pool, platform: platformSchema, sessions: sessions)
        let throttle = LoginThrottle(pool: pool, platform: platformSchema)
        self.auth = AuthService(sessions: sessions, organisations: organisations, throttle: throttle, keys: secretKeys)
        self.passwords = Passwords(sessions: sessions, organisations: organisations, throttle: throttle)
        self.goals = GoalRepository(platform: platformSchema)
        self.workshops = WorkshopRepository(platform: platformSchema)
        self.workshopDirectory = WorkshopDirectory(pool: pool, platform: platformSchema)
        let workshops = self.workshops
        // Not through the read-model cache: the board's announcement can arrive before the
        // organisation's new data version does, and the viewers must see the change itself.
        self.workshopRooms = WorkshopRooms(
            read: { [tenants] schema, id in try await tenants.read(schema) { try await workshops.state(id, on: $0) } }, logger: logger)
        self.secondFactor = SecondFactor(sessions: sessions, throttle: throttle, keys: secretKeys)
        let (organisations, tenants) = (self.organisations, self.tenants)
        self.rollup = RollupCache(maxAge: .seconds(600)) {
            try await NationalRollup.gather(organisations: organisations, tenants: tenants, platform: platformSchema)
        }
        self.mail = mail
        self.translations = try Translations(directory: PageRenderer.resources.appendingPathComponent("translations"))
        self.outbox = MailOutbox(pool: pool, platform: platformSchema, settings: mail)
        self.unsubscribeLinks = UnsubscribeLink(pool: pool, platform: platformSchema)
        self.catalogueSeeds = try catalogueSeeds ?? CatalogueRepository.seedFiles(in: sqlDirectory.appendingPathComponent("catalogue"))
    }

    /// Migrates every schema, then publishes the bundled catalogue versions not yet published.
    @discardableResult
    public func migrate(recheck: Bool = false) async throws -> Migrator.Report {
        let report = try await migrator.migrate(recheck: recheck)
        try await catalogue.seed(from: catalogueSeeds)
        return report
    }

    /// A workshop's board with everyone's votes, through the organisation's read-model cache:
    /// every viewer of an unchanged board is answered without the database.
    func workshopState(_ id: UUID, in schema: SchemaName, role: SchemaName?) async throws -> WorkshopRepository.State {
        let workshops = workshops
        return try await tenants.cachedRead(schema, role: role, key: "workshop|\(id)") { try await workshops.state(id, on: $0) }
    }

    /// The guest whose pass (cookie) the request carries for this workshop, while it lets them in.
    func workshopGuest(_ cookies: Cookies, at location: WorkshopDirectory.Location) async throws -> WorkshopGuest? {
        guard let secret = cookies[WorkshopDirectory.cookieName]?.value, secret.count == 43 else { return nil }
        let workshops = workshops
        return try await tenants.read(location.schema) {
            try await workshops.guest(
                secretHash: WorkshopDirectory.hash(secret), in: location.workshopID, schema: location.schema, on: $0)
        }
    }

    /// Runs `body` in the caller's organisation: its schema and role, chosen from the session.
    public func inOrganisation<T: Sendable>(_ member: Identity.Member, _ body: (TenantConnection) async throws -> T) async throws -> T {
        try await tenants.withTenant(member.organisation.schema, role: member.databaseRole, body)
    }

    /// Suspends or reactivates an organisation. This instance drops its cached sessions at once;
    /// the others when the platform's trigger tells them, as it does for every status change.
    @discardableResult
    public func setOrganisationStatus(slug: String, _ status: Organisation.Status, by actor: PlatformActor = .commandLine)
        async throws -> Organisation
    {
        let organisation = try await organisations.setStatus(slug: slug, status, by: actor)
        sessions.invalidate(.organisation(organisation.id))
        return organisation
    }

    /// Runs a read in the caller's organisation: each round trip of `body` is read-only and
    /// carries the switch itself (`TenantDatabase.read`), so a pipelined read model costs one.
    public func readingOrganisation<T: Sendable>(_ member: Identity.Member, _ body: (TenantConnection) async throws -> T)
        async throws -> T
    {
        try await tenants.read(member.organisation.schema, role: member.databaseRole, body)
    }

    /// As `readingOrganisation`, through the organisation's read-model cache: `key` names the
    /// model and every parameter it depends on besides the organisation's data (the viewer, a
    /// filter, a page), e.g. `"goals.list|idea|0|50"`.
    func readingOrganisation<T: Sendable>(_ member: Identity.Member, cached key: String, _ body: (TenantConnection) async throws -> T)
        async throws -> T
    {
        try await tenants.cachedRead(member.organisation.schema, role: member.databaseRole, key: key, body)
    }

    /// Listens, on a direct connection, for what other instances and tools change: identities
    /// (`SessionStore.channel`), each organisation's data version (`ReadModelCache.channel`), mail
    /// queued and workshop boards changed.
    public func listener(conninfo: String) -> PostgresListener {
        let (sessions, readCache, mailWake, rooms) = (sessions, tenants.readCache, mailWake, workshopRooms)
        return PostgresListener(
            conninfo: conninfo, channels: [SessionStore.channel, ReadModelCache.channel, Self.mailChannel, WorkshopRepository.channel],
            onReconnect: {
                sessions.invalidate(.everything)
                readCache.listeningStarted()
                rooms.refreshAll()
            },
            onDisconnect: { readCache.listeningStopped() },
            onNotification: { channel, payload in
                switch channel {
                case ReadModelCache.channel: readCache.receive(payload)
                case Self.mailChannel: mailWake.signal()
                case WorkshopRepository.channel: rooms.receive(payload)
                default: sessions.receive(payload)
                }
            })
    }

    /// Announced when a message is queued (platform migration 016).
    static let mailChannel = "luotsi_mail"

    /// The reminder pass over every organisation, with the bundled translations; over `pool`
    /// when given (in `serve`, one of its own), else the services' pool.
    public func reminderPass(logger: Logger, pool passPool: PostgresPool? = nil) throws -> ReminderPass {
        let passPool = passPool ?? pool
        let tenants =
            passPool === pool
            ? self.tenants
            : TenantDatabase(pool: passPool, organisationsPerConnection: tenants.organisationsPerConnection, readCache: tenants.readCache)
        return ReminderPass(
            pool: passPool, platform: catalogue.platform, tenants: tenants, settings: mail, translations: translations,
            links: UnsubscribeLink(pool: passPool, platform: catalogue.platform), logger: logger, pace: mail.reminderPace,
            window: mail.reminderWindow)
    }

    /// The sender that delivers the outbox; nil when e-mail is off.
    public func mailSender(logger: Logger) -> MailSender? {
        mail.server.map { MailSender(outbox: outbox, server: $0, wake: mailWake, logger: logger) }
    }
}
