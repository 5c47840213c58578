import Foundation
import Mustache

/// The interface texts of one language, read from `Site/translations/<lang>.json`.
/// Templates read them as `{{t.key}}`; a key the file lacks renders as a visible marker
/// (`⟦missing:key⟧`) that the template tests look for, never as an empty string.
public struct Strings: Sendable, MustacheParent {
    public static let missingMarker = "⟦missing:"

    public let language: Language
    let texts: [String: String]

    public init(language: Language, texts: [String: String]) {
        self.language = language
        self.texts = texts
    }

    public subscript(_ key: String) -> String {
        texts[key] ?? "\(Self.missingMarker)\(key)⟧"
    }

    /// A text with `{name}` placeholders filled in.
    public func format(_ key: String, _ values: [String: String]) -> String {
        values.reduce(self[key]) { text, pair in text.replacingOccurrences(of: "{\(pair.key)}", with: pair.value) }
    }

    /// A sentence with a count in it: `<key>_one` for exactly one, else `<key>_other`, with
    /// `{count}` (and any other placeholders) filled in. Counts belong inside sentences, not after
    /// a colon.
    public func counted(_ key: String, _ count: Int, _ values: [String: String] = [:]) -> String {
        format(count == 1 ? "\(key)_one" : "\(key)_other", values.merging(["count": "\(count)"]) { first, _ in first })
    }

    public func child(named name: String) -> Any? { self[name] }

    /// The keys this language defines (for the completeness test).
    public var keys: Set<String> { Set(texts.keys) }
}

/// Every language's texts, loaded once at start-up.
public struct Translations: Sendable {
    let byLanguage: [Language: Strings]

    /// Reads every `<lang>.json` from `directory`; a missing or unreadable file stops start-up.
    public init(directory: URL) throws {
        var loaded: [Language: Strings] = [:]
        for language in Language.allCases {
            let file = directory.appendingPathComponent("\(language.rawValue).json")
            let data = try Data(contentsOf: file)
            guard let texts = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
                throw LuotsiError.malformed("\(file.lastPathComponent) must be one JSON object of strings")
            }
            loaded[language] = Strings(language: language, texts: texts)
        }
        byLanguage = loaded
    }

    public func strings(_ language: Language) -> Strings {
        byLanguage[language] ?? Strings(language: language, texts: [:])
    }
}
