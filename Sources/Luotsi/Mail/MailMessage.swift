import Foundation

/// One outgoing message, as the outbox keeps it: the whole RFC 5322 text, finished when it is
/// written, so every attempt sends exactly the same bytes with the same `Message-ID`.
struct MailMessage: Sendable, Equatable {
    let messageID: String
    let from: String
    let to: String
    let subject: String
    /// Plain text, and the same as HTML when there is one: a multipart/alternative message.
    let text: String
    let html: String?
    /// RFC 8058 one-click unsubscribe: the address answers a POST without signing in.
    let unsubscribe: URL?
    let date: Date

    /// The message, CRLF line ends. Header text outside ASCII is RFC 2047-encoded, bodies are
    /// UTF-8 in base64 (lines of 76), which no relay rewraps.
    var rendered: String {
        var headers = [
            "From: \(Self.encodedWord("Luotsi")) <\(from)>",
            "To: <\(to)>",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            // RFC 3834: an automatic message; out-of-office replies should not answer it.
            "Auto-Submitted: auto-generated",
        ]
        if let unsubscribe {
            headers.append("List-Unsubscribe: <\(unsubscribe.absoluteString)>")
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        guard let html else {
            return (headers + Self.part(text, type: "text/plain")).joined(separator: "\r\n") + "\r\n"
        }
        let boundary = "=_luotsi_" + Self.boundaryToken(messageID)
        headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        var lines = headers + ["", "This is a message in several formats."]
        for (body, type) in [(text, "text/plain"), (html, "text/html")] {
            lines.append("--\(boundary)")
            lines += Self.part(body, type: type)
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A part's headers and its base64 body.
    private static func part(_ body: String, type: String) -> [String] {
        let encoded = Data(body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", "", encoded]
    }

    /// RFC 2047: plain ASCII as it is, anything else as `=?utf-8?B?…?=` words short enough for a line.
    static func encodedWord(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.allSatisfy({ $0.isASCII && !$0.isNewline }), flat.count <= 70 { return flat }
        var words: [String] = []
        var chunk = ""
        for character in flat {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?utf-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// A boundary that cannot occur in base64 text (it has `=_`) and differs per message.
    private static func boundaryToken(_ messageID: String) -> String {
        String(Encoding.sha256Hex(messageID).prefix(24))
    }

    /// `<local@host>` for the message ids: host from the public address.
    static func messageID(_ local: String, publicURL: URL) -> String {
        "<\(local)@\(publicURL.host ?? "luotsi.invalid")>"
    }
}
