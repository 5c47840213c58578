/// Addresses this site may send a browser to, taken from a request (`?next=`, a form's `back`):
/// only a path of this site, never another site's address (no open redirect).
enum LocalPath {
    /// `text` when it is a local path, else "": a `/` then a character that is neither `/` nor a
    /// backslash, and no control character, blank or backslash anywhere. Browsers drop tabs and
    /// newlines from an address and read a backslash as `/`, so `/<tab>/evil.example` would
    /// leave the site. The API's addresses are no destination for a page.
    static func safe(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("/api/"), text.utf8.count <= 2000 else { return "" }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && scalar != "\\" && !(0x80...0x9F).contains(scalar.value)
                && !scalar.properties.isWhitespace && scalar.properties.generalCategory != .format
        }
        guard allowed, !text.dropFirst().hasPrefix("/") else { return "" }
        return text
    }
}
