import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem document, sent as `application/problem+json`.
public struct ProblemDetails: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    /// The offending field, for 422 responses.
    public var field: String?
    public var requestId: String?

    public init(status: HTTPResponse.Status, detail: String?, field: String? = nil, requestId: String? = nil) {
        self.type = "about:blank"
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.field = field
        self.requestId = requestId
    }

    /// The response carrying this problem.
    public func response(headers extra: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data("{\"status\":\(status)}".utf8)
        var headers = extra
        headers[.contentType] = "application/problem+json"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
