import HTTPTypes

extension HTTPField.Name {
    /// Header names HTTPTypes does not predefine. Each is a plain token, so the initialiser
    /// cannot fail (no input reaches it); the fallback only satisfies the type.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy") ?? .xContentTypeOptions
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto") ?? .xContentTypeOptions
    static let forwardedFor = HTTPField.Name("X-Forwarded-For") ?? .xContentTypeOptions
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site") ?? .xContentTypeOptions
}
