import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Synchronization

/// The people watching each workshop board on this instance, and what keeps their boards
/// current. Every change to a workshop is announced on `luotsi_workshop` by the transaction
/// that made it (whichever instance served it); each instance then reads that board once and
/// sends each of its viewers the board's new markup as they see it. Reads are coalesced: while
/// one is under way, further announcements only ask for one more, so a burst of votes costs a
/// few reads, and the last read always follows the last change.
public final class WorkshopRooms: Sendable {
    struct Room: Sendable {
        var viewers: [UUID: Viewer] = [:]
        var refreshing = false
        var again = false
    }

    /// One open socket: how to render the board for its person, and where to send it.
    struct Viewer: Sendable {
        let render: @Sendable (WorkshopRepository.State) -> String?
        let send: AsyncStream<String>.Continuation
    }

    struct Key: Hashable, Sendable {
        let schema: String
        let workshop: UUID
    }

    private let rooms = Mutex<[Key: Room]>([:])
    private let read: @Sendable (SchemaName, UUID) async throws -> WorkshopRepository.State
    private let logger: Logger

    init(read: @escaping @Sendable (SchemaName, UUID) async throws -> WorkshopRepository.State, logger: Logger) {
        self.read = read
        self.logger = logger
    }

    /// How many sockets are open on this instance (for the benchmark and the metrics).
    public var viewerCount: Int { rooms.withLock { $0.values.reduce(0) { $0 + $1.viewers.count } } }

    func join(_ schema: SchemaName, _ workshop: UUID, id: UUID, viewer: Viewer) {
        rooms.withLock { $0[Key(schema: schema.rawValue, workshop: workshop), default: Room()].viewers[id] = viewer }
        refresh(Key(schema: schema.rawValue, workshop: workshop), only: id)
    }

    func leave(_ schema: SchemaName, _ workshop: UUID, id: UUID) {
        rooms.withLock { rooms in
            let key = Key(schema: schema.rawValue, workshop: workshop)
            rooms[key]?.viewers[id] = nil
            if rooms[key]?.viewers.isEmpty == true, rooms[key]?.refreshing == false { rooms[key] = nil }
        }
    }

    /// `'<schema>:<workshop id>'` from the channel.
    func receive(_ payload: String) {
        let parts = payload.split(separator: ":")
        guard parts.count == 2, let schema = parts.first, let idText = parts.last, let workshop = UUID(uuidString: String(idText)) else {
            return
        }
        refresh(Key(schema: String(schema), workshop: workshop))
    }

    /// After the listener reconnected, announcements may have been missed: every board is read again.
    func refreshAll() {
        for key in rooms.withLock({ Array($0.keys) }) { refresh(key) }
    }

    /// Reads the board and sends it to the room's viewers (or to one new viewer); an
    /// announcement during a read asks for one more read after it.
    private func refresh(_ key: Key, only newViewer: UUID? = nil) {
        let start: Bool = rooms.withLock { rooms in
            guard var room = rooms[key] else { return false }
            if newViewer == nil && room.refreshing {
                room.again = true
                rooms[key] = room
                return false
            }
            if newViewer == nil { room.refreshing = true }
            rooms[key] = room
            return true
        }
        guard start, let schema = SchemaName(key.schema) else { return }
        Task {
            var more = true
            while more {
                do {
                    let state = try await read(schema, key.workshop)
                    let viewers = rooms.withLock { rooms in
                        rooms[key]?.viewers.filter { newViewer == nil || $0.key == newViewer } ?? [:]
                    }
                    for viewer in viewers.values {
                        if let text = viewer.render(state) { viewer.send.yield(text) }
                    }
                } catch {
                    logger.warning("a workshop board could not be read for its viewers", metadata: ["error": "\(error)"])
                }
                guard newViewer == nil else { return }
                more = rooms.withLock { rooms in
                    guard var room = rooms[key] else { return false }
                    if room.again {
                        room.again = false
                        rooms[key] = room
                        return true
                    }
                    room.refreshing = false
                    rooms[key] = room.viewers.isEmpty ? nil : room
                    return false
                }
            }
        }
    }
}

/// `GET /w/<code>/live`: the WebSocket that brings a board's changes. Whoever may see the board
/// page may open it (a member of the workshop's organisation, a guest with a pass); each message
/// is `{"phase": …, "html": …}`, the board as that person sees it, or `{"closed": true}` for a
/// guest whose workshop has closed (the page then reloads into the closed notice).
enum WorkshopLive {
    struct Message: Encodable {
        let phase: String?
        let html: String?
        let closed: Bool?
    }

    struct LiveModel: Sendable {
        let board: WorkshopBoardView
    }

    static func router(services: AppServices, pages: PageRenderer, trustedProxies: TrustedProxies, secureCookies: Bool)
        -> Router<AppRequestContext>
    {
        let router = Router(context: AppRequestContext.self)
        router.middlewares.add(ClientMiddleware(trustedProxies: trustedProxies, alwaysSecure: secureCookies))
        router.middlewares.add(AuthMiddleware(sessions: services.sessions))
        router.ws("/w/:code/live") { request, context in
            // Only a browser page of this site opens it: another site's page could otherwise
            // watch a board with its visitor's cookies.
            guard (try? SameOrigin.require(request)) != nil else { return .dontUpgrade }
            return try await viewer(request, context, services: services) == nil ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, webSocket in
            let request = webSocket.request
            let context = webSocket.requestContext
            guard let (location, actor) = try await viewer(request, context, services: services) else { return }
            let language = LanguageChoice.resolve(request, identity: context.identity)
            let strings = pages.translations.strings(language)
            let csrf: String =
                if let token = context.sessionToken, context.identity != nil {
                    CSRF.token(forSession: token)
                } else {
                    request.cookies[CSRF.preSessionCookie(secure: context.secure)]?.value ?? ""
                }
            let screen = request.uri.queryParameters.get("screen") == "1"
            let isGuest = if case .guest = actor { true } else { false }
            let render: @Sendable (WorkshopRepository.State) -> String? = { state in
                if isGuest && state.board.phase == .closed { return encode(Message(phase: nil, html: nil, closed: true)) }
                var board = state.seen(by: actor)
                if screen { board.you = nil }
                let view = WorkshopBoardView(board, strings: strings, csrf: csrf, language: language)
                let html = pages.fragment("workshop-board", strings: strings, page: LiveModel(board: view))
                return encode(Message(phase: board.phase.rawValue, html: html, closed: nil))
            }
            let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(2))
            let id = UUID()
            services.workshopRooms.join(location.schema, location.workshopID, id: id, viewer: .init(render: render, send: continuation))
            defer { services.workshopRooms.leave(location.schema, location.workshopID, id: id) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in stream { try await outbound.write(.text(text)) }
                }
                // The person's side says nothing; its end (a closed page, a lost phone) ends this.
                for try await _ in inbound {}
                continuation.finish()
                group.cancelAll()
            }
        }
        return router
    }

    private static func viewer(_ request: Request, _ context: AppRequestContext, services: AppServices) async throws
        -> (WorkshopDirectory.Location, WorkshopActor)?
    {
        guard let code = context.parameters.get("code") ?? request.uri.path.split(separator: "/").dropFirst().first.map(String.init),
            let location = try await services.workshopDirectory.find(code), location.code == code
        else { return nil }
        switch context.identity {
        case .member(let member):
            return member.organisation.schema == location.schema ? (location, .member(member)) : nil
        case .platformAdmin:
            return nil
        case nil:
            return try await services.workshopGuest(request.cookies, at: location).map { (location, .guest($0)) }
        }
    }

    private static func encode(_ message: Message) -> String? {
        (try? JSONEncoder().encode(message)).flatMap { String(data: $0, encoding: .utf8) }
    }
}
