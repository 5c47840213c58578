/// The application's errors. `Server/ErrorMapping.swift` turns each into an HTTP status and a
/// problem+json body; the CLI prints `description` and exits non-zero.
public enum LuotsiError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value is out of range or malformed (422), naming the field.
    case invalid(field: String, reason: String)
    /// The request body or query could not be read at all (400).
    case malformed(String)
    /// One named field of a form or query could not be read at all (400, naming the field).
    case malformedField(field: String, reason: String)
    /// Not signed in, or the session has ended (401).
    case unauthenticated
    /// The password held but the account also needs a code from its authenticator app (401, `field: code`).
    case secondFactorRequired
    /// Signed in, but the role may not do this (403), optionally saying why.
    case forbidden(String? = nil)
    /// The thing does not exist, or belongs to another organisation (404).
    case notFound(String)
    /// A secret given in a field (a current password, a one-time code) is not the right one
    /// (403 naming the field): the request was well formed, the proof did not hold.
    case wrongSecret(field: String, reason: String)
    /// A field of the body names a record that does not exist, or belongs to another
    /// organisation (404 naming the field): the request was well formed, the record is missing.
    case unknownReference(field: String, what: String)
    /// A duplicate or a state that does not allow the change (409).
    case conflict(String)
    /// The `If-Match` precondition does not hold (412).
    case preconditionFailed
    /// `If-Match` is required but missing (428).
    case preconditionRequired
    /// Too many attempts (429).
    case throttled
    /// A feature this server cannot offer as configured (503), saying why.
    case unavailable(String)
    /// The database is not migrated to what this build expects.
    case databaseNotReady(String)
    /// The address exists but not with this method (405); `allowed` goes into the `Allow` header.
    case methodNotAllowed(allowed: [String])

    public var description: String {
        switch self {
        case .invalid(let field, let reason): "\(field): \(reason)"
        case .malformed(let reason): "malformed request: \(reason)"
        case .malformedField(let field, let reason): "\(field): \(reason)"
        case .unauthenticated: "not signed in"
        case .secondFactorRequired: "this account also needs the current code from its authenticator app"
        case .forbidden(let reason): reason ?? "your role does not allow this"
        case .notFound(let what): "\(what) not found"
        case .unknownReference(let field, let what): "\(field): \(what)"
        case .wrongSecret(let field, let reason): "\(field): \(reason)"
        case .conflict(let reason): reason
        case .preconditionFailed: "the resource has changed since you read it (stale If-Match)"
        case .preconditionRequired: "this update needs an If-Match header with the resource's ETag"
        case .throttled: "too many attempts; wait a moment and try again"
        case .unavailable(let reason): reason
        case .databaseNotReady(let reason): reason
        case .methodNotAllowed(let allowed): "this address answers only \(allowed.joined(separator: ", "))"
        }
    }
}
