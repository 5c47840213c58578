/// PostgreSQL's text form of one-dimensional arrays: `{a,"b c",NULL}`.
enum PostgresArrayLiteral {
    static func quote(_ element: String) -> String {
        var quoted = "\""
        for character in element {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// Elements in order; `nil` for NULL. Returns `nil` for text that is not a 1-D array literal.
    static func parse(_ text: String) -> [String?]? {
        var characters = text[...]
        guard characters.first == "{", characters.last == "}" else { return nil }
        characters = characters.dropFirst().dropLast()
        if characters.isEmpty { return [] }
        var elements: [String?] = []
        var iterator = characters.makeIterator()
        var current = ""
        var quoted = false
        var wasQuoted = false
        while let character = iterator.next() {
            if quoted {
                switch character {
                case "\\": if let next = iterator.next() { current.append(next) }
                case "\"": quoted = false
                default: current.append(character)
                }
                continue
            }
            switch character {
            case "\"":
                quoted = true
                wasQuoted = true
            case ",":
                elements.append(wasQuoted || current != "NULL" ? current : nil)
                current = ""
                wasQuoted = false
            case "{", "}": return nil  // multi-dimensional arrays are not supported
            default: current.append(character)
            }
        }
        guard !quoted else { return nil }
        elements.append(wasQuoted || current != "NULL" ? current : nil)
        return elements
    }
}
