/// The checks a route runs before its handler, one set for the API's routes and the pages
/// (`APIRouter`, `WebRouter`): who is let through to a route of each kind of `RouteAccess`.
enum RouteGuard {
    /// Anyone signed in.
    static func signedIn(_ identity: Identity?) throws -> Identity {
        guard let identity else { throw LuotsiError.unauthenticated }
        return identity
    }

    /// A member whose role allows `action`; with `organisation`, a member of exactly that one
    /// (another organisation is 404, revealing nothing, before the role is asked).
    static func member(_ identity: Identity?, _ action: Action, organisation slug: String? = nil) throws -> Identity.Member {
        guard case .member(let member) = try signedIn(identity) else {
            throw LuotsiError.forbidden("platform administrators do not read organisations' own content")
        }
        if let slug, slug != member.organisation.slug { throw LuotsiError.notFound("organisation") }
        guard Permissions.allows(member, action) else { throw LuotsiError.forbidden() }
        return member
    }

    /// A platform administrator, for an action the platform's role allows.
    static func platform(_ identity: Identity?, _ action: Action) throws -> Identity.PlatformAdmin {
        guard case .platformAdmin(let admin) = try signedIn(identity), Permissions.allows(.platformAdmin, action) else {
            throw LuotsiError.forbidden()
        }
        return admin
    }
}
