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
