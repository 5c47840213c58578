import Foundation
import Postgres

/// CSV exports of goals, check-ins and tasks: UTF-8 with a byte-order mark (so spreadsheet
/// programs read ä, ö and å right), CRLF lines, RFC 4180 quoting, cells separated by a comma or
/// (for Finnish and Swedish Excel, which split on it) a semicolon.
public enum CSVExport {
    public static let kinds = ["goals", "checkins", "tasks"]

    /// The cell separator.
    public enum Delimiter: String, Sendable, CaseIterable {
        case comma, semicolon

        var character: String { self == .comma ? "," : ";" }

        /// What a spreadsheet in this language splits on: Finnish and Swedish Excel use `;`
        /// (their decimal separator is the comma).
        static func forLanguage(_ language: Language) -> Delimiter { language == .en ? .comma : .semicolon }
    }
    /// An export is one response built in memory: at most this many rows, so that one request
    /// cannot take the server's memory (a larger one is refused, 409, rather than cut short).
    static let maxRows = 100_000

    /// `year` limits goals, their check-ins and their tasks to one plan year (default: all).
    static func make(_ what: String, delimiter: Delimiter = .comma, year: YearFilter = .all, on connection: TenantConnection) async throws
        -> String
    {
        let inYear = year.condition("g.plan_year")
        let header: [String]
        let rows: PostgresRows
        switch what {
        case "goals":
            header = [
                "id", "title", "level", "status", "priority", "theme", "procurement", "owner", "start", "due", "latest_attainment",
                "created_at", "plan_year", "evaluation",
            ]
            rows = try await connection.query(
                """
                SELECT g.id::text, g.title, g.level, g.status, g.priority::text, g.theme_code, p.title AS procurement, u.email AS owner,
                       g.start_date::text, g.due_date::text,
                       (SELECT attainment::text FROM checkins c WHERE c.goal_id = g.id ORDER BY c.seq DESC LIMIT 1) AS attainment,
                       to_char(g.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created, g.plan_year::text, g.evaluation
                FROM goals g LEFT JOIN procurements p ON p.id = g.procurement_id LEFT JOIN users u ON u.id = g.owner_id
                WHERE \(inYear) ORDER BY g.seq
                LIMIT \(maxRows + 1)
                """)
        case "checkins":
            header = ["goal_id", "goal", "at", "author", "status", "attainment", "phase", "comment"]
            rows = try await connection.query(
                """
                SELECT g.id::text, g.title, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), u.email, c.status,
                       c.attainment::text, c.phase, c.comment
                FROM checkins c JOIN goals g ON g.id = c.goal_id JOIN users u ON u.id = c.author_id WHERE \(inYear) ORDER BY c.seq
                LIMIT \(maxRows + 1)
                """)
        case "tasks":
            header = ["id", "procurement", "goal", "title", "assignee", "due", "phase", "status"]
            rows = try await connection.query(
                """
                SELECT t.id::text, p.title AS procurement, g.title AS goal, t.title, u.email, t.due::text, t.phase, t.status
                FROM tasks t JOIN procurements p ON p.id = t.procurement_id JOIN goals g ON g.id = t.goal_id
                LEFT JOIN users u ON u.id = t.assignee_id WHERE \(inYear) ORDER BY t.seq
                LIMIT \(maxRows + 1)
                """)
        default:
            throw LuotsiError.invalid(field: "what", reason: "must be one of \(kinds.joined(separator: ", "))")
        }
        guard rows.count <= maxRows else {
            throw LuotsiError.conflict("the export would have more than \(maxRows) rows; ask the platform administrator for a full copy")
        }
        var text = "\u{FEFF}" + line(header, delimiter)
        for row in rows { text += line(row.values.map { $0 ?? "" }, delimiter) }
        return text
    }

    static func line(_ cells: [String], _ delimiter: Delimiter = .comma) -> String {
        cells.map(cell).joined(separator: delimiter.character) + "\r\n"
    }

    /// What may start a formula in a spreadsheet (OWASP's list, with the full-width forms East
    /// Asian Excel also reads).
    static let formulaStarts = Set("=+-@\t\r\u{FF1D}\u{FF0B}\u{FF0D}\u{FF20}".unicodeScalars)
    /// Where a spreadsheet may start a new cell: quoting keeps a value whole only for a program
    /// that splits on the file's own separator, and a file opened with another one (a `;`-file
    /// in English Excel, a `,`-file in Finnish Excel) is cut at every one of these.
    static let cellBreaks = Set(",;\t\r\n".unicodeScalars)

    /// Defuses formulas (CSV injection), then quotes when needed. Every part of the value that
    /// a spreadsheet might read as a cell of its own (the start, and whatever follows a `,`,
    /// `;`, tab or line break) gets a `'` before it when it would start a formula and is not a
    /// plain number: `a;=1+1;x` becomes `a;'=1+1;x`, inert whichever separator the program uses.
    static func cell(_ value: String) -> String {
        // By scalar, not Character: "\r\n" is one Character and would slip past a Character test.
        let scalars = Array(value.unicodeScalars)
        var defused = String.UnicodeScalarView()
        var partStart = 0
        for (index, scalar) in scalars.enumerated() {
            if index == partStart, formulaStarts.contains(scalar), !isNumber(scalars, from: index) { defused.append("'") }
            defused.append(scalar)
            if cellBreaks.contains(scalar) { partStart = index + 1 }
        }
        let text = String(defused)
        guard text.unicodeScalars.contains(where: { cellBreaks.contains($0) || $0 == "\"" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Whether the part starting at `start` (up to the next cell break) is a plain number such
    /// as `-5` or `+3.5`, which no spreadsheet runs.
    private static func isNumber(_ scalars: [Unicode.Scalar], from start: Int) -> Bool {
        let part = scalars[start...].prefix { !cellBreaks.contains($0) }
        return Double(String(String.UnicodeScalarView(part))) != nil && !part.contains { $0 == "\t" || $0 == "\r" }
    }
}
