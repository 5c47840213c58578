import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Luotsi

/// Issue 16: no input may stop the process. What arrives from outside — form bodies, addresses
/// to go to after a form, client addresses named by proxies — is read by code that returns
/// errors, and a bad value is a 4xx naming its field.
@Suite("Input from outside: forms, redirects and client addresses never trap")
struct InputSafetyTests {
    @Test("form bodies are decoded by hand: malformed ones are a 400 naming the field, never Foundation's trap")
    func formEncoding() throws {
        let decoded = try FormEncoding.pairs(Array("a=1&b=x+y%20z&a=2&&c&d=%C3%A4%E2%82%AC".utf8))
        #expect(decoded.map(\.name) == ["a", "b", "a", "c", "d"])
        #expect(decoded.map(\.value) == ["1", "x y z", "2", "", "ä€"])
        // Raw bytes that are UTF-8 (what `curl -d` sends) are taken as they are.
        #expect(try FormEncoding.pairs(Array("email=a bä\"".utf8)).first?.value == "a bä\"")
        for (body, field) in [
            ("csrf=%zz&email=x", "csrf"), ("a=%", "a"), ("a=%4", "a"), ("a=%E2%82", "a"), ("x=1&b=%FF", "b"), ("%zz=1", "%zz"),
        ] {
            #expect(
                throws: LuotsiError.malformedField(
                    field: field,
                    reason: field == "%zz" ? "the field's name is not percent-encoded UTF-8" : "the value is not percent-encoded UTF-8")
            ) {
                try FormEncoding.pairs(Array(body.utf8))
            }
        }
        #expect(throws: LuotsiError.self) { try FormEncoding.pairs([0x61, 0x3D, 0xC3]) }  // a cut UTF-8 sequence
        // Any bytes at all: an answer or an error, never a trap.
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("%=&+azAZ09 \u{0}".utf8) + [0xC3, 0xA4, 0xFF, 0xE2, 0x82]
        for _ in 0..<5000 {
            let bytes = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            _ = try? FormEncoding.pairs(bytes)
        }
    }

    @Test("a form number beyond the API's limits is refused with the field named, as the API refuses it")
    func formNumbers() throws {
        let form = FormData(values: ["v": ["1000000000000000000000"], "w": ["-12,5"], "x": ["NaN"], "y": ["1e5"], "z": ["0.12345678"]])
        #expect(throws: LuotsiError.invalid(field: "v", reason: "must be between -10^15 and 10^15")) { try form.decimal("v") }
        #expect(try form.decimal("w") == Decimal(string: "-12.5"))
        #expect(throws: LuotsiError.self) { try form.decimal("x") }
        #expect(throws: LuotsiError.self) { try form.decimal("y") }
        #expect(try form.decimal("z") == Decimal(string: "0.123457"))
    }

    @Test("only a path of this site is a destination after a form (no open redirect)")
    func localPaths() {
        for safe in ["/goals", "/goals/1?status=idea", "/a/b%20c"] { #expect(LocalPath.safe(safe) == safe) }
        for unsafe in [
            "//evil.example", "/\t/evil.example/landing", "/\n/evil.example", "/\\evil.example", "/x\\y", "https://evil.example",
            "javascript:alert(1)", "/api/v1/me", "", "/ /evil", "/\u{2028}/evil", "/\u{200B}/evil", "/\u{85}/evil",
            "/" + String(repeating: "a", count: 3000),
        ] {
            #expect(LocalPath.safe(unsafe) == "", "\(unsafe.debugDescription)")
        }
        #expect(LocalPath.safe(nil) == "")
    }

    @Test("a post with broken percent-encoding or a raw space is answered (400 or 401), and the server keeps serving")
    func brokenFormPosts() async throws {
        try await APITestWorld.with { _, client in
            let first = try await client.page("/")
            let csrf = try #require(first.csrf)
            let cookie = try #require(first.headers[values: .setCookie].first { $0.hasPrefix(CSRF.preSessionCookie) })
            var headers = HTTPFields([HTTPField(name: .cookie, value: String(cookie.prefix { $0 != ";" }))])
            headers[.contentType] = "application/x-www-form-urlencoded"
            for (path, body) in [
                ("/set-password", "csrf=%zz&email=a bä"), ("/sign-in", "csrf=\(csrf)&organisation=x&email=a@b.fi&password=a b"),
                ("/sign-in", "csrf=\(csrf)&email=%E2%82"), ("/sign-in", "csrf=\(csrf)&next=%0"),
            ] {
                let status = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) {
                    response in
                    if response.status == .badRequest {
                        // The error page names the field, in the page's language.
                        let html = String(buffer: response.body)
                        #expect(html.contains("class=\"error-field\""), "\(html)")
                    }
                    return response.status
                }
                #expect([.badRequest, .unauthorized].contains(status), "\(path) \(body): \(status)")
            }
            #expect(try await client.page("/").status == .ok)
        }
    }
}
