import Foundation
import Logging
import Testing

@testable import Luotsi

@Suite("Logs and metrics for operators")
struct ObservabilityTests {
    @Test("LOG_FORMAT=json writes one JSON object per line, with the request id and escaped text")
    func jsonLines() throws {
        let line = JSONLogHandler.line(
            time: Date(timeIntervalSince1970: 1_790_000_000.25), level: .notice, label: "luotsi",
            message: "sign-in refused\n{\"forged\": true}",
            metadata: [
                "request_id": "3f2a", "message": "shadowed", "attempt": .stringConvertible(3),
                "account": .dictionary(["slug": "demo", "email": "a@b.fi"]), "tags": .array(["x", "y"]),
            ])
        #expect(line.last == UInt8(ascii: "\n") && line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["time"] as? String == "2026-09-21T14:13:20.250000Z")
        #expect(object["level"] as? String == "notice")
        #expect(object["logger"] as? String == "luotsi")
        #expect(object["message"] as? String == "sign-in refused\n{\"forged\": true}")
        #expect(object["meta.message"] as? String == "shadowed")
        #expect(object["request_id"] as? String == "3f2a")
        #expect(object["attempt"] as? String == "3")
        #expect((object["account"] as? [String: String]) == ["slug": "demo", "email": "a@b.fi"])
        #expect((object["tags"] as? [String]) == ["x", "y"])
        #expect(try LogFormat(environment: [:]) == .text)
        #expect(try LogFormat(environment: ["LOG_FORMAT": "json"]) == .json)
        #expect(throws: LuotsiError.self) { try LogFormat(environment: ["LOG_FORMAT": "xml"]) }
    }

    @Test("refused sign-ins are counted by reason for alerting")
    func signInRefusalsAreCounted() async throws {
        @Sendable func refused() -> Int {
            let text = String(decoding: Observability.exposition(), as: UTF8.self)
            return text.split(separator: "\n").first { $0.hasPrefix("luotsi_sign_in_refusals_total{reason=\"credentials\"}") }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }
        try await APITestWorld.with { world, client in
            let before = refused()
            let response = try await client.call(
                .post, "/api/v1/auth/login",
                json: ["organisation": world.a.slug, "email": "nobody@example.fi", "password": "wrong password"])
            #expect(response.status == .unauthorized)
            #expect(refused() >= before + 1)
        }
    }
}
