import Foundation
import HTTPTypes
import Hummingbird

/// Whether a request that changes something was sent by this site's own pages. Browsers name
/// where a request comes from in `Origin` (every POST) and `Sec-Fetch-Site`; a request that names
/// another site, or hides where it comes from (`Origin: null`: a sandboxed frame, a redirect
/// chain, a `data:` page), is refused whatever token or cookie it carries. A request with
/// neither header is not from a browser (curl, an API client) and cannot ride on a victim's
/// cookies, so it passes.
enum SameOrigin {
    static func require(_ request: Request) throws {
        if let site = request.headers[.secFetchSite]?.lowercased(), site != "same-origin", site != "none" {
            throw LuotsiError.forbidden("the form was sent from another site")
        }
        guard let origin = request.headers[.origin] else { return }
        let host = request.head.authority ?? ""
        guard origin != "null", let url = URL(string: origin), let originHost = url.host, !host.isEmpty else {
            throw LuotsiError.forbidden("the form was sent from another site")
        }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        guard originAuthority == host || originHost == host else {
            throw LuotsiError.forbidden("the form was sent from another site")
        }
    }

    /// True when a browser says the request comes from this site, or when it is no browser's
    /// cross-site request at all (no `Sec-Fetch-Site`). For GET side effects such as storing a
    /// `?lang=` choice, which another site must not be able to trigger with a link.
    static func isSameSiteNavigation(_ request: Request) -> Bool {
        guard let site = request.headers[.secFetchSite]?.lowercased() else { return true }
        return site == "same-origin" || site == "none"
    }
}
