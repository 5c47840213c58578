import Foundation

/// The catalogue's import/export format (`sql/catalogue/*.json`, `luotsi catalogue import|export`):
/// every language at once.
public struct CatalogueDocument: Codable, Sendable, Equatable {
    public struct Indicator: Codable, Sendable, Equatable {
        public var code: String
        public var name: Localized
        public var description: Localized
        public var unit: String
        public var direction: String
        public var target: Decimal?
        public var targetYear: Int?
    }

    public struct Goal: Codable, Sendable, Equatable {
        public var code: String
        public var position: Int
        public var name: Localized
        public var description: Localized
        public var indicators: [Indicator]
    }

    public struct Theme: Codable, Sendable, Equatable {
        public var code: String
        public var position: Int
        public var status: String
        public var name: Localized
        public var statement: Localized
        public var goals: [Goal]
    }

    public var title: Localized
    public var source: String
    public var themes: [Theme]

    /// Reads and checks a document.
    public static func read(from data: Data) throws -> CatalogueDocument {
        if let object = try? JSONSerialization.jsonObject(with: data) {
            try checkFields(object, shape: documentShape, path: "")
        }
        let document: CatalogueDocument
        do {
            document = try JSONDecoder().decode(CatalogueDocument.self, from: data)
        } catch let error as DecodingError {
            throw JSONBody.translate(error)
        }
        try document.validate()
        return document
    }

    /// The accepted members at each level: unknown ones are refused, naming where they are.
    private indirect enum Shape: Sendable {
        case object([String: Shape])
        case array(Shape)
        case value
    }

    private static let localized = Shape.object(["fi": .value, "sv": .value, "en": .value])
    private static let documentShape = Shape.object([
        "title": localized, "source": .value,
        "themes": .array(
            .object([
                "code": .value, "position": .value, "status": .value, "name": localized, "statement": localized,
                "goals": .array(
                    .object([
                        "code": .value, "position": .value, "name": localized, "description": localized,
                        "indicators": .array(
                            .object([
                                "code": .value, "name": localized, "description": localized, "unit": .value, "direction": .value,
                                "target": .value,
                                "targetYear": .value,
                            ])),
                    ])),
            ])),
    ])

    private static func checkFields(_ value: Any, shape: Shape, path: String) throws {
        switch shape {
        case .value: return
        case .array(let element):
            for (index, item) in (value as? [Any] ?? []).enumerated() { try checkFields(item, shape: element, path: "\(path)[\(index)]") }
        case .object(let members):
            guard let object = value as? [String: Any] else { return }
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard let inner = members[key] else { throw LuotsiError.invalid(field: field, reason: "unknown field") }
                try checkFields(item, shape: inner, path: field)
            }
        }
    }

    /// Codes unique and well-formed, every text in three languages, known statuses and directions.
    public func validate() throws {
        try title.validate(field: "title")
        var themeCodes = Set<String>()
        var goalCodes = Set<String>()
        for (t, theme) in themes.enumerated() {
            let at = "themes[\(t)]"
            guard theme.code.range(of: "^[A-Z]{2,8}$", options: .regularExpression) != nil, themeCodes.insert(theme.code).inserted else {
                throw LuotsiError.invalid(field: "\(at).code", reason: "must be 2–8 capital letters, unique")
            }
            guard ["confirmed", "name-only"].contains(theme.status) else {
                throw LuotsiError.invalid(field: "\(at).status", reason: "must be confirmed or name-only")
            }
            try theme.name.validate(field: "\(at).name", maxLength: 300)
            try theme.statement.validate(field: "\(at).statement")
            for (g, goal) in theme.goals.enumerated() {
                try goal.validate(at: "\(at).goals[\(g)]", themeCode: theme.code, seen: &goalCodes)
            }
        }
    }
}

extension CatalogueDocument.Goal {
    func validate(at: String, themeCode: String, seen: inout Set<String>) throws {
        guard code.hasPrefix(themeCode + "-"), code.range(of: "^[A-Z]{2,8}-[0-9]{1,3}$", options: .regularExpression) != nil,
            seen.insert(code).inserted
        else {
            throw LuotsiError.invalid(
                field: "\(at).code", reason: "must be the theme code, a hyphen and a number (e.g. \(themeCode)-1), unique")
        }
        try name.validate(field: "\(at).name", maxLength: 300)
        try description.validate(field: "\(at).description")
        var indicatorCodes = Set<String>()
        for (i, indicator) in indicators.enumerated() {
            let field = "\(at).indicators[\(i)]"
            guard !indicator.code.isEmpty, indicatorCodes.insert(indicator.code).inserted else {
                throw LuotsiError.invalid(field: "\(field).code", reason: "must be present and unique within the goal")
            }
            try indicator.name.validate(field: "\(field).name", maxLength: 300)
            try indicator.description.validate(field: "\(field).description")
            guard ["increase", "decrease", "maintain"].contains(indicator.direction) else {
                throw LuotsiError.invalid(field: "\(field).direction", reason: "must be increase, decrease or maintain")
            }
            if let year = indicator.targetYear, !(2000...2100).contains(year) {
                throw LuotsiError.invalid(field: "\(field).targetYear", reason: "must be a year from 2000 to 2100")
            }
        }
    }
}
