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
        let email = email.trimmingCharacters(in: TextRules.blanks).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        // `parts.count == 2` is checked first, so the indices cannot trap on any input.
        guard parts.count == 2, let local = parts.first, !local.isEmpty, parts[1].contains("."), self.email.unicodeScalars.count <= 254,
            !email.unicodeScalars.contains(where: TextRules.blanks.contains)
        else {
            throw LuotsiError.invalid(field: "email", reason: "must be an email address such as name@example.fi")
        }
        let name = try TextRules.required(name, field: "name", max: 200)
        try PasswordHasher.validate(password)
        return NewUser(email: email, name: name, password: password)
    }
}
