import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders pages: the Mustache templates and the translations, loaded once at start-up from the
/// resources next to the code. User data only ever reaches HTML through `{{…}}`, which escapes.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    public let translations: Translations
    public let guidance: GuidanceLibrary
    public let templateNames: [String]

    /// The site's resources bundled with the application (`Web/Site`: templates, static files, translations).
    public static var resources: URL {
        Bundle.module.url(forResource: "Site", withExtension: nil) ?? Bundle.module.bundleURL.appendingPathComponent("Site")
    }

    /// The bundled templates, loaded once per process (a build without them cannot serve pages).
    /// Runs while the router is built, before any request: no input reaches the trap, which
    /// only a broken installation (templates missing from the bundle) can spring.
    public static func bundled() -> PageRenderer {
        do {
            return try PageRenderer()
        } catch {
            fatalError("the bundled page templates cannot be loaded: \(error)")  // at start-up: no input reaches it
        }
    }

    public init(resources: URL = PageRenderer.resources) throws {
        var library = MustacheLibrary()
        let folder = resources.appendingPathComponent("templates")
        var names: [String] = []
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "mustache" {
            let name = String(file.path.dropFirst(folder.path.count + 1).dropLast(".mustache".count))
            try library.register(try String(contentsOf: file, encoding: .utf8), named: name)
            names.append(name)
        }
        guard names.contains("frame") else { throw LuotsiError.malformed("no page templates under \(folder.path)") }
        self.library = library
        self.templateNames = names.sorted()
        self.translations = try Translations(directory: resources.appendingPathComponent("translations"))
        self.guidance = try GuidanceLibrary(directory: resources.appendingPathComponent("guidance"))
    }

    /// The HTML of `template` for `page`, in the request's language.
    public func html<Model: Sendable>(
        _ template: String, title: String, page: Model, web: WebRequest, notice: String? = nil, errors: [PageFrame.FieldError] = []
    ) -> String {
        let frame = Navigation.frame(
            template: template, title: title, web: web, notice: notice, errors: errors,
            guide: guidance.guide(for: template, language: web.language))
        let context = PageContext(frame: frame, t: web.strings, page: page)
        return library.render(RenderTree.make(context) ?? context, withTemplate: template) ?? "template \(template) is missing"
    }

    /// A part of a page without the frame, for what a page's script swaps in (a live board):
    /// the template sees `t` and `page` as in a whole page.
    func fragment<Model: Sendable>(_ template: String, strings: Strings, page: Model) -> String {
        let context = FragmentContext(t: strings, page: page)
        return library.render(RenderTree.make(context) ?? context, withTemplate: template) ?? ""
    }

    struct FragmentContext<Model: Sendable>: Sendable {
        let t: Strings
        let page: Model
    }

    /// A complete HTML response. Pages carry an organisation's data, so nothing is cached.
    public func response<Model: Sendable>(
        _ template: String, title: String, page: Model, web: WebRequest, status: HTTPResponse.Status = .ok, notice: String? = nil,
        errors: [PageFrame.FieldError] = []
    ) -> Response {
        var response = Self.htmlResponse(html(template, title: title, page: page, web: web, notice: notice, errors: errors), status: status)
        for cookie in web.cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }

    static func htmlResponse(_ html: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .cacheControl: "no-store",
                .contentSecurityPolicy:
                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                .xContentTypeOptions: "nosniff",
                .referrerPolicy: "same-origin",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 See Other: the answer to every successful form post.
    public static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}
