import Foundation

/// What it takes to create a person's account.
public struct NewUser: Sendable {
    public var email: String
    public var name: String
    public var password: String

    public init(email: String, name: String, password: String) {
        self.email = email
        self.name = name
        self.password = password
    }

    /// Checks and normalises the fields (email lower-cased, name trimmed).
    public func validated() throws -> NewUser {
        let email = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), email.count <= 254,
            !email.contains(where: \.isWhitespace)
        else {
            throw LuotsiError.invalid(field: "email", reason: "must be an email address such as name@example.fi")
        }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else {
            throw LuotsiError.invalid(field: "name", reason: "must be 1–200 characters")
        }
        try PasswordHasher.validate(password)
        return NewUser(email: email, name: name, password: password)
    }
}
