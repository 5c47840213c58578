import Foundation

/// A SQL statement with its parameters kept apart from its text.
///
/// Built by string interpolation: `"select * from t where id = \(id)"` binds `id` as `$1`.
/// Only the explicitly named interpolations splice text: `\(identifier:)` (quoted by libpq's
/// own escaping when the statement is rendered on a connection) and `\(unsafeRaw:)`.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// One piece of a statement.
    public enum Fragment: Sendable, Equatable {
        case text(String)
        case bind(PostgresBind)
        case identifier(String)
    }

    public private(set) var fragments: [Fragment]

    public init(stringLiteral value: String) {
        fragments = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        fragments = stringInterpolation.fragments
    }

    init(fragments: [Fragment]) {
        self.fragments = fragments
    }

    /// Text with no binds, e.g. SQL read from a migration file.
    public static func raw(_ text: String) -> SQL { SQL(fragments: [.text(text)]) }

    /// Appends another statement piece (its binds are renumbered on rendering).
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        SQL(fragments: lhs.fragments + rhs.fragments)
    }

    /// Joins pieces with a separator, e.g. a list of `col = $n` assignments.
    public static func joined(_ parts: [SQL], separator: String) -> SQL {
        var fragments: [Fragment] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { fragments.append(.text(separator)) }
            fragments += part.fragments
        }
        return SQL(fragments: fragments)
    }

    /// The parameter values in `$n` order.
    public var binds: [PostgresBind] {
        fragments.compactMap { if case .bind(let bind) = $0 { bind } else { nil } }
    }

    /// Renders the text with `$1…$n` placeholders; identifiers go through `quoteIdentifier`.
    public func render(quoteIdentifier: (String) throws -> String) rethrows -> String {
        var text = ""
        var index = 0
        for fragment in fragments {
            switch fragment {
            case .text(let piece): text += piece
            case .bind:
                index += 1
                text += "$\(index)"
            case .identifier(let name): text += try quoteIdentifier(name)
            }
        }
        return text
    }

    /// The text with its values: two statements with the same key have the same effect.
    var contextKey: String {
        ([description] + binds.map { $0.text ?? "\u{0}" }).joined(separator: "\u{1}")
    }

    /// The statement's text with placeholders and identifiers shown as `"name"`; no values.
    public var description: String {
        render(quoteIdentifier: { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" })
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var fragments: [Fragment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            if case .text(let previous)? = fragments.last {
                fragments[fragments.count - 1] = .text(previous + literal)
            } else {
                fragments.append(.text(literal))
            }
        }

        /// Binds a value as a parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            fragments.append(.bind(value.postgresBind))
        }

        /// Binds an optional value; `nil` becomes SQL NULL.
        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            if let value {
                fragments.append(.bind(value.postgresBind))
            } else {
                fragments.append(.bind(PostgresBind(text: nil, type: .unspecified)))
            }
        }

        /// Splices another statement, keeping its binds.
        public mutating func appendInterpolation(_ sql: SQL) {
            for fragment in sql.fragments {
                if case .text(let piece) = fragment {
                    appendLiteral(piece)
                } else {
                    fragments.append(fragment)
                }
            }
        }

        /// Splices an identifier, quoted with libpq's escaping when rendered.
        public mutating func appendInterpolation(identifier: String) {
            fragments.append(.identifier(identifier))
        }

        /// Splices text as it is. Never pass user input.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            appendLiteral(text)
        }
    }
}

/// A parameter value in PostgreSQL's text format, with the type the server should read it as.
public struct PostgresBind: Sendable, Equatable {
    /// The value in PostgreSQL's text format; `nil` is SQL NULL.
    public var text: String?
    public var type: PostgresDataType

    public init(text: String?, type: PostgresDataType) {
        self.text = text
        self.type = type
    }
}
