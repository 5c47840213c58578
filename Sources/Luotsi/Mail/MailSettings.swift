import Foundation

/// E-mail's settings, from the environment (README, Configuration). Without `LUOTSI_SMTP_URL`
/// e-mail is off: nothing is written to the outbox and the in-app notifications still work.
public struct MailSettings: Sendable {
    /// Where mail goes; nil: e-mail is off.
    var server: SMTPServer?
    /// The envelope and `From:` address (`LUOTSI_MAIL_FROM`).
    public var from: String
    /// The address of the pages, for links in messages (`LUOTSI_PUBLIC_URL`).
    public var publicURL: URL
    /// Attempts before a message is dead-lettered (`LUOTSI_MAIL_MAX_ATTEMPTS`).
    public var maxAttempts: Int
    /// The first retry's wait; each later one doubles it, up to an hour (`LUOTSI_MAIL_RETRY_SECONDS`).
    public var retryBase: Duration
    /// How long the reminder pass rests after each organisation, at most, as a multiple of the
    /// time the organisation took (`LUOTSI_REMINDER_PACE`, 0–10; 0: no rest).
    public var reminderPace: Double = 1
    /// The reminder pass rests only while it still finishes within this (`LUOTSI_REMINDER_WINDOW_SECONDS`).
    public var reminderWindow: Duration = .seconds(270)
    /// How long one SMTP attempt may take (`LUOTSI_MAIL_TIMEOUT_SECONDS`).
    public var attemptTimeout: Int
    /// When `serve` runs the daily reminder pass, UTC hour and minute (`LUOTSI_REMINDERS_AT`,
    /// `HH:MM`, or `off`); it also runs one at start-up.
    public var reminderTime: (hour: Int, minute: Int)?

    public var isOn: Bool { server != nil }
    public var serverDescription: String? { server?.description }

    public static let off = MailSettings(
        server: nil, from: "luotsi@localhost", publicURL: URL(fileURLWithPath: "/"), maxAttempts: 8, retryBase: .seconds(60),
        attemptTimeout: 30, reminderTime: nil)

    init(
        server: SMTPServer?, from: String, publicURL: URL, maxAttempts: Int, retryBase: Duration, attemptTimeout: Int,
        reminderTime: (hour: Int, minute: Int)?
    ) {
        self.attemptTimeout = attemptTimeout
        self.server = server
        self.from = from
        self.publicURL = publicURL
        self.maxAttempts = maxAttempts
        self.retryBase = retryBase
        self.reminderTime = reminderTime
    }

    public init(environment: [String: String]) throws {
        let text = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let publicText = text("LUOTSI_PUBLIC_URL") ?? "http://localhost:\(text("PORT") ?? "8080")"
        guard let url = URL(string: publicText.hasSuffix("/") ? String(publicText.dropLast()) : publicText),
            ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
        else {
            throw LuotsiError.invalid(
                field: "LUOTSI_PUBLIC_URL", reason: "must be the http(s) address of the pages, e.g. https://luotsi.example.fi")
        }
        publicURL = url
        server = try text("LUOTSI_SMTP_URL").map { try SMTPServer(parsing: $0) }
        from = text("LUOTSI_MAIL_FROM") ?? "luotsi@\(url.host ?? "localhost")"
        guard from.range(of: #"^[^@\s<>]+@[^@\s<>]+$"#, options: .regularExpression) != nil else {
            throw LuotsiError.invalid(field: "LUOTSI_MAIL_FROM", reason: "must be an e-mail address such as luotsi@example.fi")
        }
        maxAttempts = try AppConfiguration.integer(environment, "LUOTSI_MAIL_MAX_ATTEMPTS", default: 8, range: 1...100)
        retryBase = .seconds(try AppConfiguration.integer(environment, "LUOTSI_MAIL_RETRY_SECONDS", default: 60, range: 1...86400))
        attemptTimeout = try AppConfiguration.integer(environment, "LUOTSI_MAIL_TIMEOUT_SECONDS", default: 30, range: 1...300)
        if let pace = text("LUOTSI_REMINDER_PACE") {
            guard let value = Double(pace), (0...10).contains(value) else {
                throw LuotsiError.invalid(field: "LUOTSI_REMINDER_PACE", reason: "must be a number from 0 to 10")
            }
            reminderPace = value
        }
        reminderWindow = .seconds(
            try AppConfiguration.integer(environment, "LUOTSI_REMINDER_WINDOW_SECONDS", default: 270, range: 1...86400))
        switch text("LUOTSI_REMINDERS_AT")?.lowercased() {
        case "off": reminderTime = nil
        case nil: reminderTime = (5, 0)
        case let value?:
            let parts = value.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, let hour = parts.first, let minute = parts.last, (0...23).contains(hour), (0...59).contains(minute)
            else {
                throw LuotsiError.invalid(field: "LUOTSI_REMINDERS_AT", reason: "must be HH:MM (UTC) or off")
            }
            reminderTime = (hour, minute)
        }
    }

    /// An absolute link to a page: `path` starts with `/`.
    func link(_ path: String) -> URL {
        URL(string: publicURL.absoluteString + path) ?? publicURL
    }
}
