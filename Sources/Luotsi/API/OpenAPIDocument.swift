import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of the JSON API (`API/openapi.json`, committed), served at
/// `/api/v1/openapi.json`. A test keeps it and the registered routes in step.
public enum OpenAPIDocument {
    public static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            return Data(#"{"openapi":"3.1.0","info":{"title":"Luotsi","version":"missing"},"paths":{}}"#.utf8)
        }
        return data
    }()

    static func register(on api: APIRouter) {
        api.open(.get, "/api/v1/openapi.json") { _, _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
