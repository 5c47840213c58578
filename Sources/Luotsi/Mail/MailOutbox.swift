import Foundation
import Postgres

/// The outbox (platform migration 016): written in the transaction of what causes a message,
/// read and updated by the senders.
public struct MailOutbox: Sendable {
    let pool: PostgresPool
    let platform: SchemaName
    let settings: MailSettings

    enum Kind: String, Sendable {
        case digest
        case passwordCode = "password_code"
    }

    /// The `INSERT` of one message into the outbox, for an organisation's transaction. A message
    /// whose id is there already is not written again: a pass run twice writes each digest once.
    /// `sensitive`: the text is dropped once delivered (it carries a one-time code). (No conflict
    /// target: naming one would need a read privilege organisations do not have; `message_id` is
    /// the only key a new row can collide on.)
    static func insert(_ message: MailMessage, kind: Kind, sensitive: Bool = false, platform: SchemaName) -> SQL {
        insert([message], kind: kind, sensitive: sensitive, platform: platform)
    }

    /// The same for several messages in one statement (a pass writes an organisation's digests so).
    static func insert(_ messages: [MailMessage], kind: Kind, sensitive: Bool = false, platform: SchemaName) -> SQL {
        let rows = messages.map { message -> SQL in
            "(\(message.messageID), \(kind.rawValue), \(message.to), \(message.subject), \(message.rendered), \(sensitive))"
        }
        return """
            INSERT INTO \(schema: platform).mail_outbox (message_id, kind, recipient, subject, body, sensitive)
            VALUES \(SQL.joined(rows, separator: ", "))
            ON CONFLICT DO NOTHING
            """
    }

    /// A message taken for sending.
    struct Claimed: Sendable {
        let id: UUID
        let messageID: String
        let recipient: String
        let body: String
        let attempts: Int
    }

    /// Takes up to `limit` messages due for an attempt, for this sender alone: `SKIP LOCKED` lets
    /// concurrent senders take different ones, and each taken message's next attempt moves past
    /// `lease`, so that no one else tries it while this sender does, and it comes back if this
    /// sender dies.
    func claim(limit: Int, lease: Duration) async throws -> [Claimed] {
        let rows = try await pool.query(
            """
            UPDATE \(schema: platform).mail_outbox SET attempts = attempts + 1,
                   next_attempt_at = now() + make_interval(secs => \(Double(lease.components.seconds)))
            WHERE id IN (SELECT id FROM \(schema: platform).mail_outbox
                         WHERE sent_at IS NULL AND dead_at IS NULL AND next_attempt_at <= now()
                         ORDER BY next_attempt_at, seq LIMIT \(Int32(limit)) FOR UPDATE SKIP LOCKED)
            RETURNING id, message_id, recipient, body, attempts
            """)
        return try rows.map {
            Claimed(
                id: try $0.decode("id"), messageID: try $0.decode("message_id"), recipient: try $0.decode("recipient"),
                body: try $0.decode("body", as: String?.self) ?? "", attempts: Int(try $0.decode("attempts", as: Int32.self)))
        }
    }

    func markSent(_ id: UUID) async throws {
        try await pool.query(
            """
            UPDATE \(schema: platform).mail_outbox SET sent_at = now(), last_error = NULL,
                   body = CASE WHEN sensitive THEN NULL ELSE body END
            WHERE id = \(id)
            """)
    }

    /// Records a failed attempt: tried again after a growing wait, or dead-lettered after the
    /// last attempt (or at once, when the server refused the message for good).
    func markFailed(_ message: Claimed, error: String, permanent: Bool) async throws {
        let dead = permanent || message.attempts >= settings.maxAttempts
        let wait = Self.backoff(attempt: message.attempts, base: settings.retryBase)
        try await pool.query(
            """
            UPDATE \(schema: platform).mail_outbox SET last_error = \(String(error.prefix(1000))),
                   dead_at = CASE WHEN \(dead) THEN now() END,
                   next_attempt_at = now() + make_interval(secs => \(wait))
            WHERE id = \(message.id)
            """)
    }

    /// Seconds before attempt `attempt + 1`: the base, doubled for each attempt made, at most an
    /// hour, with up to a fifth more at random so that many failed messages do not return at once.
    static func backoff(attempt: Int, base: Duration) -> Double {
        let seconds = min(Double(base.components.seconds) * pow(2, Double(max(0, attempt - 1))), 3600)
        return seconds * Double.random(in: 1...1.2)
    }

    // MARK: - For the platform administrator

    public struct Status: Encodable, Sendable {
        public let waiting: Int
        public let sentLastDay: Int
        public let dead: Int
        public let deadLetters: [DeadLetter]
        public let emailConfigured: Bool
    }

    public struct DeadLetter: Encodable, Sendable {
        public let id: UUID
        public let kind: String
        public let recipient: String
        public let subject: String
        public let attempts: Int
        public let lastError: String?
        public let createdAt: Date
        public let deadAt: Date
    }

    public func status(limit: Int = 100) async throws -> Status {
        let results = PipelineResults(
            try await pool.withConnection { connection in
                try await connection.pipeline([
                    """
                    SELECT count(*) FILTER (WHERE sent_at IS NULL AND dead_at IS NULL) AS waiting,
                           count(*) FILTER (WHERE sent_at > now() - interval '1 day') AS sent,
                           count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
                    FROM \(schema: platform).mail_outbox
                    """,
                    """
                    SELECT id, kind, recipient, subject, attempts, last_error, created_at, dead_at FROM \(schema: platform).mail_outbox
                    WHERE dead_at IS NOT NULL ORDER BY dead_at DESC LIMIT \(Int32(limit))
                    """,
                ])
            })
        let counts = try results.at(0).one()
        return Status(
            waiting: try counts.decode("waiting"), sentLastDay: try counts.decode("sent"), dead: try counts.decode("dead"),
            deadLetters: try results.at(1).map {
                DeadLetter(
                    id: try $0.decode("id"), kind: try $0.decode("kind"), recipient: try $0.decode("recipient"),
                    subject: try $0.decode("subject"), attempts: Int(try $0.decode("attempts", as: Int32.self)),
                    lastError: try $0.decode("last_error"), createdAt: try $0.decode("created_at"), deadAt: try $0.decode("dead_at"))
            }, emailConfigured: settings.isOn)
    }

    /// Gives a dead-lettered message a fresh set of attempts; false when there is no such dead letter.
    public func retry(_ id: UUID, by admin: Identity.PlatformAdmin) async throws -> Bool {
        try await pool.withTransaction { connection in
            guard
                let row = try await connection.query(
                    """
                    UPDATE \(schema: platform).mail_outbox SET dead_at = NULL, attempts = 0, next_attempt_at = now()
                    WHERE id = \(id) AND dead_at IS NOT NULL AND body IS NOT NULL RETURNING recipient, subject
                    """
                ).single()
            else { return false }
            try await PlatformAudit.record(
                "mail.retry", target: try row.decode("recipient", as: String.self),
                detail: ["messageId": id.uuidString, "subject": try row.decode("subject", as: String.self)], by: .admin(admin),
                platform: platform, on: connection)
            return true
        }
    }
}
