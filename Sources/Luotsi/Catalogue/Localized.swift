import Foundation

/// A text in Finnish, Swedish and English — every catalogue name and description has all three.
public struct Localized: Codable, Sendable, Equatable {
    public var fi: String
    public var sv: String
    public var en: String

    public init(fi: String, sv: String, en: String) {
        self.fi = fi
        self.sv = sv
        self.en = en
    }

    public func text(_ language: Language) -> String {
        switch language {
        case .fi: fi
        case .sv: sv
        case .en: en
        }
    }

    /// All three present and within `maxLength`.
    func validate(field: String, maxLength: Int = 2000) throws {
        for (language, text) in [("fi", fi), ("sv", sv), ("en", en)] {
            _ = try TextRules.required(text, field: "\(field).\(language)", max: maxLength)
        }
    }
}

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
