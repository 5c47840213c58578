import Foundation

/// An estimate of the memory a value holds, for bounding `ReadModelCache`: strings by their
/// bytes, scalars by their width, everything else by its parts (through `Mirror`). A long
/// collection is estimated from its first few elements, so estimating a model costs about the
/// same whatever its length (it runs once per model read from the database, never on a hit).
enum ApproximateSize {
    /// Elements of a collection measured before extrapolating to the rest.
    static let sample = 4

    static func of(_ value: Any) -> Int { of(value, depth: 0) }

    private static func of(_ value: Any, depth: Int) -> Int {
        switch value {
        case let text as String: return 16 + (text.utf8.count > 15 ? text.utf8.count + 32 : 0)
        case is Int, is Int64, is Int32, is Double, is Bool, is Date: return 8
        case is UUID, is Decimal: return 20
        default: break
        }
        guard depth < 24 else { return 16 }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .collection, .set, .dictionary:
            let count = Int(mirror.children.count)
            var measured = 0
            var total = 32
            for child in mirror.children.prefix(sample) {
                total += of(child.value, depth: depth + 1)
                measured += 1
            }
            // Sets and dictionaries keep spare room (half again); the elements not measured cost
            // as those that were.
            let slack = mirror.displayStyle == .collection ? 2 : 3
            guard measured > 0 else { return total }
            return (total - 32) * count * slack / (measured * 2) + 32
        case .class:
            return 16 + mirror.children.reduce(0) { $0 + of($1.value, depth: depth + 1) }
        default:
            let parts = mirror.children.reduce(0) { $0 + of($1.value, depth: depth + 1) }
            return max(parts, 8)
        }
    }
}
