import Foundation
import Postgres

/// One person's digest: what is due now and what is new since their last one.
struct Digest: Sendable {
    struct Person: Sendable {
        let id: UUID
        let email: String
        let name: String
        let language: Language
        let frequency: ReminderFrequency
    }

    struct OverdueTask: Sendable {
        let title: String
        let due: CalendarDate?
        let procurement: String
    }

    struct DueCheckIn: Sendable {
        let goalID: UUID
        let title: GoalTitle
        let since: CalendarDate?
    }

    let person: Person
    let period: String
    let overdueTasks: [OverdueTask]
    let dueCheckIns: [DueCheckIn]
    /// Unread and not yet mailed, newest first, without the due kinds (those are listed as due).
    let news: [NotificationItem]
    /// Every notification the digest accounts for (the due kinds too): marked mailed with it.
    let accountedFor: [UUID]

    /// At most this many new notifications are listed; the rest are counted, with a link.
    static let newsShown = 20

    var itemCount: Int { overdueTasks.count + dueCheckIns.count + news.count }
    var isEmpty: Bool { itemCount == 0 }

    /// The message: subject, plain text and HTML, in the person's language.
    func message(strings s: Strings, settings: MailSettings, unsubscribe: URL, messageID: String, date: Date) -> MailMessage {
        let language = s.language
        let due = overdueTasks.count + dueCheckIns.count
        var summary: [String] = []
        if due > 0 { summary.append(s.counted("digest_summary_due", due)) }
        if !news.isEmpty { summary.append(s.counted("digest_summary_new", news.count)) }
        let subject = s.format(
            person.frequency == .daily ? "digest_subject_daily" : "digest_subject_weekly",
            ["summary": summary.joined(separator: ", ")])
        var sections: [(title: String, items: [(text: String, detail: String?, link: URL)])] = []
        var dueItems: [(String, String?, URL)] = overdueTasks.map { task in
            (
                s.format(
                    "digest_task_overdue",
                    ["task": task.title, "procurement": task.procurement, "due": Formatting.date(task.due, language)]),
                nil, settings.link("/my-work")
            )
        }
        dueItems += dueCheckIns.map { goal in
            let path = "/goals/\(goal.goalID.uuidString.lowercased())"
            return (
                s.format("digest_checkin_due", ["goal": goal.title.text(language), "since": Formatting.date(goal.since, language)]), nil,
                settings.link(path + "#checkin")
            )
        }
        if !dueItems.isEmpty { sections.append((s["digest_section_due"], dueItems.map { ($0.0, $0.1, $0.2) })) }
        let shown = news.prefix(Self.newsShown).map { item in
            (NotificationText.sentence(item, s), item.reason.flatMap { $0.isEmpty ? nil : $0 }, settings.link(item.path))
        }
        if !shown.isEmpty { sections.append((s["digest_section_new"], shown.map { ($0.0, $0.1, $0.2) })) }
        let more = news.count - shown.count
        let greeting = s.format("digest_greeting", ["name": person.name])
        let notificationsLink = settings.link("/notifications")
        let profileLink = settings.link("/profile#reminders")
        let why = s[person.frequency == .daily ? "digest_why_daily" : "digest_why_weekly"]

        var text = [greeting, ""]
        for section in sections {
            text.append(section.title)
            for item in section.items {
                text.append("- \(item.text)")
                if let detail = item.detail { text.append("  \(s["digest_reason"]): \(detail)") }
                text.append("  \(item.link.absoluteString)")
            }
            text.append("")
        }
        if more > 0 { text.append(s.counted("digest_more", more)) }
        text += [
            "\(s["digest_all_notifications"]): \(notificationsLink.absoluteString)", "",
            "\(why) \(s["digest_change"]): \(profileLink.absoluteString)",
            "\(s["digest_unsubscribe"]): \(unsubscribe.absoluteString)",
        ]

        var html = [
            "<!DOCTYPE html><html lang=\"\(language.rawValue)\"><head><meta charset=\"utf-8\"><title>\(escape(subject))</title></head>",
            "<body style=\"font-family: sans-serif; line-height: 1.5; color: #1b1b1b\">",
            "<p>\(escape(greeting))</p>",
        ]
        for section in sections {
            html.append("<h2 style=\"font-size: 1.1em\">\(escape(section.title))</h2><ul>")
            for item in section.items {
                var line = "<li><a href=\"\(escape(item.link.absoluteString))\">\(escape(item.text))</a>"
                if let detail = item.detail { line += "<br>\(escape(s["digest_reason"])): \(escape(detail))" }
                html.append(line + "</li>")
            }
            html.append("</ul>")
        }
        if more > 0 { html.append("<p>\(escape(s.counted("digest_more", more)))</p>") }
        html += [
            "<p><a href=\"\(escape(notificationsLink.absoluteString))\">\(escape(s["digest_all_notifications"]))</a></p>",
            "<p style=\"font-size: 0.9em; color: #555\">\(escape(why)) <a href=\"\(escape(profileLink.absoluteString))\">\(escape(s["digest_change"]))</a>"
                + " · <a href=\"\(escape(unsubscribe.absoluteString))\">\(escape(s["digest_unsubscribe"]))</a></p>",
            "</body></html>",
        ]
        return MailMessage(
            messageID: messageID, from: settings.from, to: person.email, subject: subject, text: text.joined(separator: "\n"),
            html: html.joined(separator: "\n"), unsubscribe: unsubscribe, date: date)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
