/// The roles inside an organisation. Platform admins stand above all organisations.
public enum Role: String, Sendable, Codable, CaseIterable {
    case management, lead, staff

    /// Parses a role name, naming the allowed values when it is not one.
    public static func parse(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw LuotsiError.invalid(field: "role", reason: "must be one of management, lead, staff")
        }
        return role
    }
}
