import Foundation
import Postgres

/// Dates and numbers as each language writes them (Finnish and Swedish in Finland: `18.11.2026`,
/// `1 234,50 €`; English: `18 Nov 2026`, `€1,234.50`).
public enum Formatting {
    static let englishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func date(_ date: CalendarDate?, _ language: Language) -> String {
        guard let date else { return "" }
        switch language {
        case .fi, .sv: return "\(date.day).\(date.month).\(date.year)"
        case .en: return "\(date.day) \(englishMonths[date.month - 1]) \(date.year)"
        }
    }

    /// A moment as a date and time in Finland's time zone.
    public static func dateTime(_ moment: Date?, _ language: Language) -> String {
        guard let moment else { return "" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Helsinki") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: moment)
        guard let day = CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) else { return "" }
        let hour = parts.hour ?? 0
        let minute = String(format: "%02d", parts.minute ?? 0)
        switch language {
        case .fi: return "\(date(day, language)) klo \(hour).\(minute)"
        case .sv: return "\(date(day, language)) kl. \(hour).\(minute)"
        case .en: return "\(date(day, language)) \(hour):\(minute)"
        }
    }

    /// A moment's time of day in Finland's time zone ("klo 14.05", "kl. 14.05", "14:05").
    public static func time(_ moment: Date, _ language: Language) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Helsinki") ?? .gmt
        let parts = calendar.dateComponents([.hour, .minute], from: moment)
        let hour = parts.hour ?? 0
        let minute = String(format: "%02d", parts.minute ?? 0)
        switch language {
        case .fi: return "klo \(hour).\(minute)"
        case .sv: return "kl. \(hour).\(minute)"
        case .en: return "\(hour):\(minute)"
        }
    }

    static func locale(_ language: Language) -> Locale {
        Locale(identifier: language == .fi ? "fi_FI" : language == .sv ? "sv_FI" : "en_GB")
    }

    public static func euros(_ value: Decimal?, _ language: Language) -> String {
        guard let value else { return "" }
        return value.formatted(.currency(code: "EUR").locale(locale(language)))
    }

    public static func number(_ value: Decimal?, _ language: Language) -> String {
        guard let value else { return "" }
        return value.formatted(.number.locale(locale(language)))
    }

    public static func percent(_ value: Int?, _ language: Language) -> String {
        guard let value else { return "" }
        return language == .en ? "\(value)%" : "\(value) %"
    }
}
