/// `application/x-www-form-urlencoded` decoding (WHATWG URL, "urlencoded parser"), written so
/// that no input can trap: Foundation's `URLComponents.percentEncodedQuery` setter calls
/// `fatalError` on a raw space, a non-ASCII byte or `%zz`, and one such post would end the
/// process that serves every organisation.
///
/// Browsers send `+` for a space and `%XX` for everything else, so a bad escape or bytes that are
/// not UTF-8 can only come from a hand-made request: it is refused (400, naming the field) rather
/// than guessed at. Raw bytes that are valid UTF-8 (what `curl -d 'a=ä b'` sends) are taken as sent.
public enum FormEncoding {
    /// The name-value pairs in order; empty sequences between `&`s are skipped.
    public static func pairs(_ body: some Collection<UInt8>) throws -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for sequence in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = sequence.firstIndex(of: UInt8(ascii: "="))
            let rawName = sequence[sequence.startIndex..<(equals ?? sequence.endIndex)]
            let rawValue = equals.map { sequence[sequence.index(after: $0)...] } ?? sequence[sequence.endIndex...]
            // The field is named by its raw bytes when its name is itself malformed.
            guard let name = decode(rawName) else {
                throw LuotsiError.malformedField(field: describe(rawName), reason: "the field's name is not percent-encoded UTF-8")
            }
            guard let value = decode(rawValue) else {
                throw LuotsiError.malformedField(field: name, reason: "the value is not percent-encoded UTF-8")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    /// `+` → space, `%XX` → the byte; `nil` for a `%` without two hex digits after it, or when the
    /// bytes are not UTF-8.
    static func decode(_ raw: some Collection<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index != raw.endIndex {
            let byte = raw[index]
            raw.formIndex(after: &index)
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard index != raw.endIndex, let high = hexValue(raw[index]) else { return nil }
                raw.formIndex(after: &index)
                guard index != raw.endIndex, let low = hexValue(raw[index]) else { return nil }
                raw.formIndex(after: &index)
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A malformed name as printable ASCII (at most 40 characters), for the error message.
    static func describe(_ raw: some Collection<UInt8>) -> String {
        String(String(decoding: raw.prefix(40).map { (0x21...0x7E).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self))
    }
}
