import CLibCurl
import Dispatch
import Foundation

/// Hands finished messages to an SMTP server through libcurl, which speaks SMTP, STARTTLS and
/// authentication. libcurl's calls block, so each transport does its work on a serial Dispatch
/// queue of its own, never on an event loop or in the cooperative pool; its one handle keeps the
/// connection to the server open between messages.
final class SMTPTransport: @unchecked Sendable {
    /// Why a message was not accepted. `permanent`: the server refused it for good (a 5xx
    /// answer), so trying again cannot help.
    struct Failure: Error, CustomStringConvertible {
        let message: String
        let permanent: Bool
        var description: String { message }
    }

    private let server: SMTPServer
    private let timeoutSeconds: Int
    private let queue = DispatchQueue(label: "luotsi.smtp")
    /// Used only on `queue`, which is what makes the class Sendable.
    private var handle: UnsafeMutableRawPointer?

    /// libcurl's global set-up, once per process before the first handle.
    private static let globalSetUp: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    init(server: SMTPServer, timeoutSeconds: Int = 30) {
        _ = Self.globalSetUp
        self.server = server
        self.timeoutSeconds = timeoutSeconds
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    /// Sends `message` (the whole RFC 5322 text, CRLF line ends) from `sender` to `recipients`.
    func send(from sender: String, to recipients: [String], message: String) async throws {
        let body = Array(message.utf8)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                continuation.resume(with: Result { try self.sendOnQueue(from: sender, to: recipients, body: body) })
            }
        }
    }

    private func sendOnQueue(from sender: String, to recipients: [String], body: [UInt8]) throws {
        if handle == nil { handle = curl_easy_init() }
        guard let handle else { throw Failure(message: "libcurl could not make a handle", permanent: false) }
        curl_easy_reset(handle)
        var list: UnsafeMutablePointer<curl_slist>?
        for recipient in recipients { list = curl_slist_append(list, "<\(recipient)>") }
        defer { curl_slist_free_all(list) }
        let upload = Upload(body)
        let uploadPointer = Unmanaged.passUnretained(upload).toOpaque()
        var outcome = [
            luotsi_curl_set_string(handle, CURLOPT_URL, server.url),
            luotsi_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(sender)>"),
            luotsi_curl_set_slist(handle, CURLOPT_MAIL_RCPT, list),
            luotsi_curl_set_long(handle, CURLOPT_UPLOAD, 1),
            luotsi_curl_set_read_function(handle, readBody),
            luotsi_curl_set_pointer(handle, CURLOPT_READDATA, uploadPointer),
            luotsi_curl_set_long(handle, CURLOPT_USE_SSL, Int(server.tls.rawValue)),
            luotsi_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, min(timeoutSeconds, 10)),
            luotsi_curl_set_long(handle, CURLOPT_TIMEOUT, timeoutSeconds),
            // No signals from libcurl's timeouts: several threads use it.
            luotsi_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
        ]
        if let user = server.user { outcome.append(luotsi_curl_set_string(handle, CURLOPT_USERNAME, user)) }
        if let password = server.password { outcome.append(luotsi_curl_set_string(handle, CURLOPT_PASSWORD, password)) }
        if let refused = outcome.first(where: { $0 != CURLE_OK }) {
            throw Failure(message: "libcurl refused an option: \(String(cString: curl_easy_strerror(refused)))", permanent: false)
        }
        let result = withExtendedLifetime(upload) { curl_easy_perform(handle) }
        guard result != CURLE_OK else { return }
        var code = 0
        _ = luotsi_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &code)
        let text = String(cString: curl_easy_strerror(result))
        // A 5xx answer to the envelope or the message is the server's final word on it.
        throw Failure(message: code > 0 ? "\(text) (SMTP \(code))" : text, permanent: (500...599).contains(code))
    }

    /// The message's bytes, handed to libcurl a chunk at a time.
    private final class Upload {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func copy(into buffer: UnsafeMutablePointer<CChar>, max: Int) -> Int {
            let count = Swift.min(max, bytes.count - offset)
            guard count > 0 else { return 0 }
            bytes.withUnsafeBufferPointer { source in
                guard let base = source.baseAddress else { return }
                UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
            }
            offset += count
            return count
        }
    }

    private let readBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        return Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue().copy(into: buffer, max: size * count)
    }
}

/// Where mail goes, from `LUOTSI_SMTP_URL`: `smtp://[user[:password]@]host[:port]` (STARTTLS when
/// the server offers it, and required before a password is sent anywhere but this machine) or
/// `smtps://…` (TLS from the start).
struct SMTPServer: Sendable, CustomStringConvertible {
    /// The address without the credentials, as libcurl takes it.
    let url: String
    let user: String?
    let password: String?
    let tls: curl_usessl

    init(parsing text: String) throws {
        let invalid = LuotsiError.invalid(
            field: "LUOTSI_SMTP_URL", reason: "must be smtp://[user[:password]@]host[:port] or smtps://…")
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["smtp", "smtps"].contains(scheme), let host = components.host, !host.isEmpty
        else { throw invalid }
        var address = URLComponents()
        address.scheme = scheme
        address.host = host
        address.port = components.port
        guard let url = address.string else { throw invalid }
        self.url = url
        user = components.user?.removingPercentEncoding
        password = components.password?.removingPercentEncoding
        let local = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
        tls = scheme == "smtps" || (password != nil && !local) ? CURLUSESSL_ALL : CURLUSESSL_TRY
    }

    /// For logs and the start-up line: never the password.
    var description: String { user.map { "\(url) as \($0)" } ?? url }
}
