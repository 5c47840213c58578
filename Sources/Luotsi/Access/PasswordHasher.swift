import Crypto
import Dispatch
import Foundation
import HummingbirdBcrypt

/// bcrypt hashing, run on a Dispatch queue: it takes a quarter of a second by design and must
/// never hold up an event loop. At most `BcryptGate.limit` run at once, so a flood of sign-in
/// attempts cannot take every core from the requests of people already signed in.
public enum PasswordHasher {
    /// bcrypt cost; 12 is the floor for stored passwords.
    public static let cost: UInt8 = 12
    /// bcrypt reads only the first 72 bytes of its input.
    static let bcryptBytes = 72

    private static let queue = DispatchQueue(label: "luotsi.bcrypt", attributes: .concurrent)
    static let gate = BcryptGate(limit: max(1, ProcessInfo.processInfo.activeProcessorCount / 2), queueLimit: 64)

    public static func hash(_ password: String) async -> String {
        _ = await gate.enter(bounded: false)
        let hashed = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Bcrypt.hash(bcryptInput(password), cost: cost)) }
        }
        await gate.leave()
        return hashed
    }

    /// Throws `throttled` when too many checks are already waiting (a flood of sign-ins).
    public static func verify(_ password: String, hash: String) async throws -> Bool {
        guard await gate.enter(bounded: true) else { throw LuotsiError.throttled }
        let valid = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Bcrypt.verify(bcryptInput(password), hash: hash)) }
        }
        await gate.leave()
        return valid
    }

    /// What bcrypt is given. bcrypt would ignore everything after 72 bytes, so a longer password
    /// is first reduced to its SHA-256 (51 bytes as text): every character of it counts. A
    /// password of at most 72 bytes is given as it is, so hashes stored before stay valid.
    static func bcryptInput(_ password: String) -> String {
        guard password.utf8.count > bcryptBytes else { return password }
        return "sha256:" + Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    /// Passwords are 12–200 characters (Unicode code points, as JSON Schema counts them); length
    /// beats composition rules (NIST SP 800-63B). U+0000 cannot be passed to bcrypt, so it is refused.
    /// `field`: the name of the input that carries it (a new account's `password`, a change's `newPassword`).
    public static func validate(_ password: String, field: String = "password") throws {
        guard (12...200).contains(password.unicodeScalars.count) else {
            throw LuotsiError.invalid(field: field, reason: "must be 12–200 characters")
        }
        guard !password.contains("\u{0}") else {
            throw LuotsiError.invalid(field: field, reason: "must not contain the NUL character")
        }
    }
}

/// Lets at most `limit` bcrypt runs proceed at once; further callers wait their turn, and a
/// bounded caller is turned away when `queueLimit` are already waiting.
actor BcryptGate {
    let limit: Int
    let queueLimit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int, queueLimit: Int) {
        self.limit = limit
        self.queueLimit = queueLimit
    }

    /// Waits for a turn; `false`, at once, when `bounded` and the queue is full.
    func enter(bounded: Bool) async -> Bool {
        if running < limit {
            running += 1
            return true
        }
        if bounded, waiting.count >= queueLimit { return false }
        // `leave` hands its turn straight over, so `running` stays as it is.
        await withCheckedContinuation { waiting.append($0) }
        return true
    }

    func leave() {
        if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
    }
}
