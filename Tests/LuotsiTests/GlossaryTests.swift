import Foundation
import Testing

@testable import Luotsi

/// `translations/glossary.json` names one term per concept in each language and the wordings it
/// replaced. A text that brings one of those back, or a glossary term no text uses any more,
/// fails here, so the languages keep reading as one voice.
@Suite("The interface's terms follow the glossary")
struct GlossaryTests {
    struct Glossary: Decodable {
        struct Term: Decodable {
            let concept: String
            let en: String
            let fi: String
            let sv: String
            let avoid: [String: [String]]
        }
        let terms: [Term]
    }

    @Test("each language uses the glossary's term for every concept and none of the wordings it replaced")
    func termsAreUsedAndReplacedWordingsAreGone() throws {
        let directory = PageRenderer.resources.appendingPathComponent("translations")
        let glossary = try JSONDecoder().decode(Glossary.self, from: Data(contentsOf: directory.appendingPathComponent("glossary.json")))
        #expect(glossary.terms.count >= 30)
        for language in Language.allCases {
            let data = try Data(contentsOf: directory.appendingPathComponent("\(language.rawValue).json"))
            let texts = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
            let lowered = texts.mapValues { $0.lowercased() }
            for term in glossary.terms {
                let preferred =
                    switch language {
                    case .en: term.en
                    case .fi: term.fi
                    case .sv: term.sv
                    }
                #expect(
                    lowered.values.contains { $0.contains(preferred.lowercased()) },
                    "\(language.rawValue): no text uses “\(preferred)” (\(term.concept))")
                for avoided in term.avoid[language.rawValue] ?? [] {
                    let offending = lowered.filter { $0.value.contains(avoided.lowercased()) }.keys.sorted()
                    #expect(offending.isEmpty, "\(language.rawValue): “\(avoided)” instead of “\(preferred)” in \(offending)")
                }
            }
        }
    }
}
