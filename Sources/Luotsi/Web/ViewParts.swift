import Foundation
import HTTPTypes

/// One choice of a `<select>` or a radio group.
struct Option: Sendable {
    let value: String
    let label: String
    let selected: Bool
    /// For radio buttons: the input's id (`name-value`; the group's first is `name`).
    private(set) var id: String

    init(value: String, label: String, selected: Bool, name: String = "") {
        self.value = value
        self.label = label
        self.selected = selected
        self.id = name.isEmpty ? "" : "\(name)-\(value)"
    }

    /// Radio buttons named `name`: the first one's input takes the name itself as its id, so that
    /// an error about the field (named as the command names it) links to the group.
    static func radios(_ name: String, _ choices: [(value: String, label: String, selected: Bool)]) -> [Option] {
        choices.enumerated().map { index, choice in
            var option = Option(value: choice.value, label: choice.label, selected: choice.selected, name: name)
            if index == 0 { option.id = name }
            return option
        }
    }
}

/// A status shown as text and colour (the class names the colour, the text says it).
struct StatusBadge: Sendable {
    let key: String
    let label: String

    init(_ key: String, _ strings: Strings) {
        self.key = key
        self.label = strings["status_\(key)"]
    }
}

/// A person as pages show them.
struct PersonRef: Sendable {
    let id: String
    let name: String
}

/// Turns domain validation errors into error-summary entries in the person's language. The
/// field names are the API's paths (a list position in brackets, as `milestones[2].title`); form
/// inputs use them as ids with brackets and dots turned into dashes (`milestones-2-title`).
enum FormErrors {
    static func fieldID(_ field: String) -> String {
        field.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "").replacingOccurrences(of: ".", with: "-")
    }

    /// `err_<field>` without list positions (`err_milestones_title`).
    static func messageKey(_ field: String) -> String {
        let withoutIndices = field.replacing(/\[[0-9]+\]/, with: "")
        return "err_" + withoutIndices.replacingOccurrences(of: ".", with: "_")
    }

    /// The summary entry for `error`, or `nil` when it is not a form error (it then becomes an error page).
    /// The command's field names the input; `form` is the prefix of the inputs' ids when a page
    /// holds two forms with fields of the same name (the procurement page's task form: `task-`).
    /// `messages` prefixes the message's key when the command's fields are one item of a list the
    /// texts already cover (an indicator's `target` reads `err_indicators_target`).
    static func entries(
        _ error: any Error, strings: Strings, defaultField: String, form: String = "", messages: String = ""
    ) -> [PageFrame.FieldError]? {
        guard let error = error as? LuotsiError else { return nil }
        switch error {
        case .invalid(let field, let reason), .unknownReference(let field, let reason), .wrongSecret(let field, let reason):
            let key = messageKey(messages + field)
            // A text in one language (`name.fi`) reads the field's own message when it has none.
            let general = key.replacing(/_(fi|sv|en)$/, with: "")
            let text = strings[strings[key].hasPrefix(Strings.missingMarker) ? general : key]
            let message = text.hasPrefix(Strings.missingMarker) ? strings.format("err_generic", ["reason": reason]) : text
            return [.init(fieldID: form + fieldID(field), message: message)]
        case .conflict:
            return [.init(fieldID: form + fieldID(defaultField), message: strings["err_conflict"])]
        default:
            return nil
        }
    }
}

extension String {
    /// `nil` for an empty text: Mustache treats any string, even an empty one, as "present".
    var nonEmpty: String? { isEmpty ? nil : self }
}
