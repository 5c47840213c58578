import Foundation
import Synchronization

/// Organisation users recently read for a session, so that a request need not open a second
/// tenant transaction just to learn who is calling when a session is read from the database.
/// Role changes and deactivation revoke the user's sessions and tell every instance to forget
/// the user (`SessionStore.forget`), so a cached entry never grants more than the session it
/// belongs to. Entries live `lifetime` at most. An entry is the person *in one organisation*: an
/// organisation imported from another's export keeps its people's ids, and a role read in one
/// must never be served for the other.
final class MemberCache: Sendable {
    struct Entry: Sendable {
        let email: String
        let name: String
        let role: Role
        let language: Language?
        let readAt: ContinuousClock.Instant
    }

    /// By user, then by organisation: a user's entries are forgotten together.
    private let entries = Mutex<[UUID: [UUID: Entry]]>([:])
    let lifetime: Duration

    init(lifetime: Duration = .seconds(30)) { self.lifetime = lifetime }

    func get(_ userID: UUID, in organisationID: UUID) -> Entry? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[userID]?[organisationID] else { return nil }
            guard now - entry.readAt < lifetime else {
                entries[userID]?[organisationID] = nil
                return nil
            }
            return entry
        }
    }

    func put(_ userID: UUID, in organisationID: UUID, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count > 50_000 { entries.removeAll() }  // bound memory
            entries[userID, default: [:]][organisationID] = entry
        }
    }

    func forgetAll() {
        entries.withLock { $0.removeAll() }
    }

    func forget(_ userID: UUID) {
        entries.withLock { _ = $0.removeValue(forKey: userID) }
    }
}
