import Foundation

/// The API's rules for text fields, kept identical to how the OpenAPI document states them, so
/// that what the document allows is accepted and what it refuses is refused:
/// - lengths count Unicode code points of the text as sent (JSON Schema's `maxLength`);
/// - a required text has a character that is not a blank (`pattern`: `notBlankPattern`);
/// - blanks around a text are dropped before it is stored.
public enum TextRules {
    /// Blank characters: what Swift's `whitespacesAndNewlines` holds plus what the regular
    /// expressions of JSON Schema tools call whitespace (`\s` in ECMAScript and Python).
    static let blanks: CharacterSet = {
        var set = CharacterSet(charactersIn: "\t\n\u{0B}\u{0C}\r \u{1C}\u{1D}\u{1E}\u{1F}\u{85}\u{A0}\u{1680}")
        set.insert(charactersIn: "\u{2000}"..."\u{200A}")
        set.insert(charactersIn: "\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}")
        return set
    }()

    /// The same set as a JSON Schema `pattern`: "has a character that is not a blank".
    public static let notBlankPattern = #"[^\t\n\x0b\x0c\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"#

    /// A required text of at most `max` code points with a non-blank character; returned trimmed.
    static func required(_ text: String, field: String, max: Int) throws -> String {
        let trimmed = text.trimmingCharacters(in: blanks)
        guard text.unicodeScalars.count <= max, !trimmed.isEmpty else {
            throw LuotsiError.invalid(field: field, reason: "must be 1–\(max) characters, not only spaces")
        }
        return trimmed
    }

    /// An optional text of at most `max` code points, stored as sent.
    static func limited(_ text: String, field: String, max: Int) throws -> String {
        guard text.unicodeScalars.count <= max else { throw LuotsiError.invalid(field: field, reason: "must be at most \(max) characters") }
        return text
    }

    /// The title of a goal, procurement or task: required, at most 300 code points.
    static func title(_ text: String, field: String = "title") throws -> String {
        try required(text, field: field, max: 300)
    }
}
