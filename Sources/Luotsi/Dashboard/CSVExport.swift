import Foundation
import Postgres

/// CSV exports of goals, check-ins and tasks: UTF-8 with a byte-order mark (so spreadsheet
/// programs read ä, ö and å right), CRLF lines, RFC 4180 quoting.
public enum CSVExport {
    public static let kinds = ["goals", "checkins", "tasks"]
    /// An export is one response built in memory: at most this many rows, so that one request
    /// cannot take the server's memory (a larger one is refused, 409, rather than cut short).
    static let maxRows = 100_000

    public static func make(_ what: String, on connection: TenantConnection) async throws -> String {
        let header: [String]
        let rows: PostgresRows
        switch what {
        case "goals":
            header = [
                "id", "title", "level", "status", "priority", "theme", "procurement", "owner", "start", "due", "latest_attainment",
                "created_at",
            ]
            rows = try await connection.query(
                """
                SELECT g.id::text, g.title, g.level, g.status, g.priority::text, g.theme_code, p.title AS procurement, u.email AS owner,
                       g.start_date::text, g.due_date::text,
                       (SELECT attainment::text FROM checkins c WHERE c.goal_id = g.id ORDER BY c.seq DESC LIMIT 1) AS attainment,
                       to_char(g.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created
                FROM goals g LEFT JOIN procurements p ON p.id = g.procurement_id LEFT JOIN users u ON u.id = g.owner_id ORDER BY g.seq
                LIMIT \(maxRows + 1)
                """)
        case "checkins":
            header = ["goal_id", "goal", "at", "author", "status", "attainment", "phase", "comment"]
            rows = try await connection.query(
                """
                SELECT g.id::text, g.title, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), u.email, c.status,
                       c.attainment::text, c.phase, c.comment
                FROM checkins c JOIN goals g ON g.id = c.goal_id JOIN users u ON u.id = c.author_id ORDER BY c.seq
                LIMIT \(maxRows + 1)
                """)
        case "tasks":
            header = ["id", "procurement", "goal", "title", "assignee", "due", "phase", "status"]
            rows = try await connection.query(
                """
                SELECT t.id::text, p.title AS procurement, g.title AS goal, t.title, u.email, t.due::text, t.phase, t.status
                FROM tasks t JOIN procurements p ON p.id = t.procurement_id JOIN goals g ON g.id = t.goal_id
                LEFT JOIN users u ON u.id = t.assignee_id ORDER BY t.seq
                LIMIT \(maxRows + 1)
                """)
        default:
            throw LuotsiError.invalid(field: "what", reason: "must be one of \(kinds.joined(separator: ", "))")
        }
        guard rows.count <= maxRows else {
            throw LuotsiError.conflict("the export would have more than \(maxRows) rows; ask the platform administrator for a full copy")
        }
        var text = "\u{FEFF}" + line(header)
        for row in rows { text += line(row.values.map { $0 ?? "" }) }
        return text
    }

    static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    /// Quotes when needed; a leading `=`, `+`, `-`, `@`, tab or carriage return is defused so a
    /// spreadsheet never runs a cell as a formula (CSV injection). A `;` or tab also forces quotes:
    /// Finnish and Swedish Excel split on `;`, and inside quotes nothing is split, so no part of
    /// a value can start a cell of its own.
    static func cell(_ value: String) -> String {
        var value = value
        // By scalar, not Character: "\r\n" is one Character and would slip past a Character test.
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil { value = "'" + value }
        guard value.unicodeScalars.contains(where: { ",;\t\"\n\r".unicodeScalars.contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
