import Foundation
import HTTPTypes
import Hummingbird

/// JSON responses.
public enum JSONOutput {
    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws
        -> Response
    {
        let bytes = try ResponseJSON.encode(value)
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// 204 No Content.
    public static func empty() -> Response { Response(status: .noContent) }
}

/// A page of a list: `items` and the cursor of the next page (left out on the last).
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    public let items: [Item]
    public let nextCursor: String?
}

/// `?limit=` (1–200, default 50) and `?cursor=`: the `nextCursor` of the previous page, which is
/// the position (decimal digits) after which the next page starts.
public struct PageRequest: Sendable {
    public let limit: Int
    public let after: Int64

    public init(limit: Int = 50, after: Int64 = 0) {
        self.limit = limit
        self.after = after
    }

    public init(request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query["limit"].map(String.init) {
            guard let limit = Int(text), (1...200).contains(limit) else {
                throw LuotsiError.invalid(field: "limit", reason: "must be a whole number from 1 to 200")
            }
            self.limit = limit
        } else {
            self.limit = 50
        }
        if let cursor = query["cursor"].map(String.init) {
            // Every value of the documented form is a valid position: no cursor is refused for
            // pointing nowhere; it just yields an empty page.
            guard (1...18).contains(cursor.utf8.count), cursor.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let after = Int64(cursor)
            else { throw LuotsiError.invalid(field: "cursor", reason: "must be the nextCursor of a previous page (1–18 digits)") }
            self.after = after
        } else {
            self.after = 0
        }
    }

    /// Makes a page from rows fetched with `limit + 1`, each with its `seq`.
    public func page<Item>(_ rows: [(seq: Int64, item: Item)]) -> Page<Item> {
        let items = rows.prefix(limit)
        let next = rows.count > limit ? items.last.map { Self.cursor($0.seq) } : nil
        return Page(items: items.map(\.item), nextCursor: next)
    }

    static func cursor(_ seq: Int64) -> String { String(seq) }
}

/// Query-string and path helpers that fail with a 4xx naming the parameter.
public enum RequestValues {
    public static func uuid(_ context: some RequestContext, _ name: String) throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUID(uuidString: text) else {
            throw LuotsiError.notFound(name == "id" ? "resource" : name)
        }
        return id
    }

    /// A query value of the API: `nil` only when the parameter is absent. A parameter given
    /// empty (`?lang=`) is a value like any other, so its checks refuse it rather than ignore it.
    public static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init)
    }

    /// A query value for a page, where an empty one (a form's blank field) means "not given".
    public static func nonEmptyQuery(_ request: Request, _ name: String) -> String? {
        query(request, name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A query value that must be one of `allowed`.
    public static func query(_ request: Request, _ name: String, oneOf allowed: [String]) throws -> String? {
        guard let value = query(request, name) else { return nil }
        guard allowed.contains(value) else {
            throw LuotsiError.invalid(field: name, reason: "must be one of \(allowed.joined(separator: ", "))")
        }
        return value
    }
}
