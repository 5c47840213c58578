import Foundation
import Postgres

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

extension Localized {
    /// The three texts of a jsonb `{"fi", "sv", "en"}` expression as text columns of their own
    /// (`<alias>_fi`, `<alias>_sv`, `<alias>_en`): the hot read models take them as they are,
    /// rather than parsing JSON only to write it out again. `expression` and `alias` are SQL
    /// written in the code, never input.
    static func columns(_ expression: StaticString, as alias: StaticString) -> SQL {
        let (expression, alias) = ("\(expression)", "\(alias)")
        return .raw("\(expression)->>'fi' AS \(alias)_fi, \(expression)->>'sv' AS \(alias)_sv, \(expression)->>'en' AS \(alias)_en")
    }

    /// Reads what `columns(_:as:)` selected; a text missing from the JSON is a decoding error,
    /// as it was for the JSON decoder.
    init(row: PostgresRow, alias: String) throws {
        self.init(
            fi: try row.decode(alias + "_fi"), sv: try row.decode(alias + "_sv"), en: try row.decode(alias + "_en"))
    }
}
