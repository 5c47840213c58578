import Foundation

/// The interface languages.
public enum Language: String, Sendable, Codable, CaseIterable {
    case fi, sv, en

    /// `?lang=`, else the first supported `Accept-Language`, else Finnish.
    public static func choose(query: String?, acceptLanguage: String?) throws -> Language {
        if let query {
            guard let language = Language(rawValue: query) else { throw LuotsiError.invalid(field: "lang", reason: "must be fi, sv or en") }
            return language
        }
        for part in (acceptLanguage ?? "").split(separator: ",") {
            let tag = part.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            if let language = Language(rawValue: String(tag.prefix(2))) { return language }
        }
        return .fi
    }
}
