import Dispatch
import HummingbirdBcrypt

/// bcrypt hashing, run on a Dispatch queue: it takes a quarter of a second by design and must
/// never hold up an event loop.
public enum PasswordHasher {
    /// bcrypt cost; 12 is the floor for stored passwords.
    public static let cost: UInt8 = 12

    private static let queue = DispatchQueue(label: "luotsi.bcrypt", attributes: .concurrent)

    public static func hash(_ password: String) async -> String {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Bcrypt.hash(password, cost: cost)) }
        }
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Bcrypt.verify(password, hash: hash)) }
        }
    }

    /// Passwords are 12–200 characters; length beats composition rules (NIST SP 800-63B).
    public static func validate(_ password: String) throws {
        guard (12...200).contains(password.count) else {
            throw LuotsiError.invalid(field: "password", reason: "must be 12–200 characters")
        }
    }
}
