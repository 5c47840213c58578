import Foundation
import Mustache

/// A page's view model as dictionaries and arrays, read by reflection once before rendering.
///
/// swift-mustache looks every `{{name}}` up with a new `Mirror` of each object on its context
/// stack (and checks each against its protocols), so a page with a few hundred lookups spent
/// most of its time reflecting: the profile of `/procurements` under load was mostly
/// `swift_conformsToProtocol`, metadata lookups and demangling. A dictionary is looked up
/// directly (`MustacheParent`). What the templates see is unchanged: a nil optional is absent
/// (as Mirror's lookup reported it), and only view models' structs become dictionaries, so
/// Foundation values and anything with a Mustache protocol render as before.
enum RenderTree {
    /// The value as the templates read it; nil for a nil optional (absent, as it was to Mirror).
    static func make(_ value: Any) -> Any? {
        // First, as `value is String` is also true of an optional String.
        if let optional = value as? any OptionalValue {
            guard let wrapped = optional.wrapped else { return nil }
            return make(wrapped)
        }
        switch value {
        case is String, is Bool, is Int, is Double, is Decimal, is any MustacheParent, is MustacheLambda,
            is any MustacheCustomRepresentation:
            return value
        case let strings as [String]:
            return strings
        default:
            break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .collection:
            return mirror.children.map { make($0.value) ?? $0.value }
        case .struct where isOwn(type(of: value)):
            var fields: [String: Any] = [:]
            for child in mirror.children {
                guard let label = child.label, let field = make(child.value) else { continue }
                fields[label] = field
            }
            return fields
        default:
            return value
        }
    }

    /// Whether `type` is a view model's struct rather than a value of the standard library or
    /// Foundation (`Date`, `UUID`, `URL`, …), which templates print as they are.
    private static func isOwn(_ type: Any.Type) -> Bool {
        let name = String(reflecting: type)
        return !name.hasPrefix("Swift.") && !name.hasPrefix("Foundation")
    }
}

/// Any `Optional`, whatever it wraps, for `RenderTree` to unwrap.
private protocol OptionalValue {
    var wrapped: Any? { get }
}

extension Optional: OptionalValue {
    fileprivate var wrapped: Any? { self.map { $0 } }
}
