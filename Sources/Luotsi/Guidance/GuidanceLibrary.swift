import Foundation

/// The in-product guidance, per language, from `Site/guidance/<lang>.json`: a help page per role,
/// a short guide per funnel step, what makes a good goal, examples per national intention, and
/// the first steps of a new organisation. Plain text: the templates escape it.
public struct GuidanceContent: Codable, Sendable {
    public struct Section: Codable, Sendable {
        let heading: String
        let paragraphs: [String]
    }

    public struct RolePage: Codable, Sendable {
        let title: String
        let intro: String
        let sections: [Section]
    }

    public struct Step: Codable, Sendable {
        let title: String
        let summary: String
        let `do`: [String]
        let avoid: [String]
    }

    public struct Criterion: Codable, Sendable {
        let name: String
        let text: String
    }

    public struct GoodGoal: Codable, Sendable {
        let title: String
        let intro: String
        let criteria: [Criterion]
    }

    public struct Example: Codable, Sendable {
        let title: String
        let level: String
        let why: String
        let indicator: String
        let target: String
    }

    public struct FirstSteps: Codable, Sendable {
        let title: String
        let text: String
        let steps: [String]
    }

    let roles: [String: RolePage]
    let steps: [String: Step]
    let goodGoal: GoodGoal
    let examples: [String: [Example]]
    let firstSteps: FirstSteps

    enum CodingKeys: String, CodingKey {
        case roles, steps, examples
        case goodGoal = "good_goal"
        case firstSteps = "first_steps"
    }
}

/// Every language's guidance, loaded once at start-up with the templates.
public struct GuidanceLibrary: Sendable {
    /// The funnel's steps in their order; each has a guide and an anchor on `/help/funnel`.
    static let stepOrder = ["brainstorm", "sift", "schedule", "implement", "follow_up", "evaluate"]
    /// Which step's short guide a page shows, by template.
    static let stepOfTemplate = [
        "goal-new": "brainstorm", "funnel": "sift", "goal-schedule": "schedule", "goal-reschedule": "schedule",
        "goal-indicators": "schedule", "procurement": "implement", "procurement-new": "implement", "task-edit": "implement",
        "goal": "follow_up", "report": "evaluate",
    ]

    let byLanguage: [Language: GuidanceContent]

    /// Reads every `<lang>.json` from `directory`; a missing or malformed file stops start-up.
    public init(directory: URL) throws {
        var loaded: [Language: GuidanceContent] = [:]
        for language in Language.allCases {
            let file = directory.appendingPathComponent("\(language.rawValue).json")
            loaded[language] = try JSONDecoder().decode(GuidanceContent.self, from: Data(contentsOf: file))
        }
        byLanguage = loaded
    }

    func content(_ language: Language) -> GuidanceContent? { byLanguage[language] ?? byLanguage[.fi] }

    /// The short guide a page of `template` shows, if its template is one of the funnel's steps.
    func guide(for template: String, language: Language) -> PageFrame.Guide? {
        guard let step = Self.stepOfTemplate[template], let content = content(language)?.steps[step] else { return nil }
        return PageFrame.Guide(title: content.title, summary: content.summary, href: "/help/funnel#step-\(step)")
    }
}
