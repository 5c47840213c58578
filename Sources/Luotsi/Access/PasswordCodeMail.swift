import Foundation
import Postgres

/// Management sends a colleague's one-time set-password code by e-mail instead of handing it
/// over: the message is queued in the transaction that issues the code, so a code that was never
/// issued is never mailed, and the text (the code in it) is dropped from the outbox once delivered.
extension Passwords {
    public struct MailedCode: Encodable, Sendable {
        public let sentTo: String
        public let expiresAt: Date
    }

    func mailCode(
        for userID: UUID, by actor: Identity.Member, mail: MailSettings, translations: Translations, platform: SchemaName,
        on connection: TenantConnection
    ) async throws -> MailedCode {
        guard mail.isOn else {
            throw LuotsiError.conflict("e-mail is not set up on this server (LUOTSI_SMTP_URL); hand the code over instead")
        }
        let issued = try await issueCode(for: userID, by: actor, on: connection)
        guard let row = try await connection.query("SELECT email, name, language FROM users WHERE id = \(userID)").single() else {
            throw LuotsiError.notFound("user")
        }
        let email: String = try row.decode("email")
        let language = Language(rawValue: try row.decode("language", as: String?.self) ?? "") ?? actor.language ?? .fi
        let s = translations.strings(language)
        let organisation = actor.organisation
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "organisation", value: organisation.slug), URLQueryItem(name: "email", value: email)]
        let link = mail.link("/set-password\(query.string ?? "")")
        let values = [
            "name": try row.decode("name", as: String.self), "actor": actor.name, "organisation": organisation.name, "code": issued.code,
            "expires": Formatting.dateTime(issued.expiresAt, language),
        ]
        let text = [
            s.format("mail_code_greeting", values), "", s.format("mail_code_body", values), "",
            "\(s["mail_code_code"]): \(issued.code)", s.format("mail_code_expires", values), "",
            "\(s["mail_code_link"]): \(link.absoluteString)", "", s["mail_code_ignore"],
        ].joined(separator: "\n")
        let message = MailMessage(
            messageID: MailMessage.messageID("password-code.\(UUID().uuidString.lowercased())", publicURL: mail.publicURL),
            from: mail.from, to: email, subject: s.format("mail_code_subject", values), text: text, html: nil, unsubscribe: nil,
            date: Date())
        try await connection.query(MailOutbox.insert(message, kind: .passwordCode, sensitive: true, platform: platform))
        try await AuditLog.record(
            "user.password_code_mailed", entity: "user", id: userID, by: actor, after: ["sentTo": email], on: connection)
        return MailedCode(sentTo: email, expiresAt: issued.expiresAt)
    }
}
