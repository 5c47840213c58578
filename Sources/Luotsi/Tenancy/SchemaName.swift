import Foundation
import Postgres

/// A PostgreSQL schema (and role) name that is safe by construction.
///
/// Only the server makes these (`generate(for:)`); names read back from the database are
/// validated again. They are still always quoted when spliced into SQL.
public struct SchemaName: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts `^[a-z][a-z0-9_]{0,62}$` except names starting `pg_`.
    public init?(_ rawValue: String) {
        guard (1...63).contains(rawValue.utf8.count),
            rawValue.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }),
            let first = rawValue.utf8.first, first >= 0x61 && first <= 0x7A,
            !rawValue.hasPrefix("pg_")
        else { return nil }
        self.rawValue = rawValue
    }

    /// A fresh name for an organisation: `org_<slug as identifier>_<8 random hex>`.
    public static func generate(for slug: String) -> SchemaName {
        let base = String(slug.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }.prefix(40))
        let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(8)
        // Both parts are [a-z0-9_] by construction.
        return SchemaName(constant: "org_\(base)_\(random)")
    }

    /// The shared schema of the platform.
    public static let platform = SchemaName(constant: "platform")

    /// For names that are valid by construction (constants in code; no input reaches the trap);
    /// a failure is a programming error.
    init(constant: String) {
        guard let name = SchemaName(constant) else { preconditionFailure("invalid schema name \(constant)") }
        self = name
    }

    public var description: String { rawValue }
}

extension SQL.StringInterpolation {
    /// A schema (or organisation role) name, quoted as an identifier: `\(schema: platform)`.
    /// Typed, so that only a validated `SchemaName` is ever spliced into SQL as one.
    public mutating func appendInterpolation(schema: SchemaName) {
        appendInterpolation(identifier: schema.rawValue)
    }
}
