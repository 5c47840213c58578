import Synchronization

/// What a client has seen of its organisation's data: the organisation (by its schema) and the
/// data version (`sql/tenant/009_data_version.sql`) of its last write. An instance that has not yet heard of
/// that version reads from the database instead of its cache, so a person sees their own
/// write on whichever instance serves them next.
///
/// On the wire: `<schema>.<version>`, in the `Luotsi-Data-Version` header (API
/// clients echo it) and the `luotsi_seen` cookie (browsers carry it).
public struct DataVersionToken: Sendable, Equatable {
    public let schema: SchemaName
    public let version: Int64

    public init(schema: SchemaName, version: Int64) {
        self.schema = schema
        self.version = version
    }

    /// Reads the wire form; anything else is no token (a client's junk costs it only the cache).
    public init?(_ text: String) {
        guard text.utf8.count <= 90, let dot = text.lastIndex(of: "."),
            let schema = SchemaName(String(text[..<dot])),
            let version = Int64(text[text.index(after: dot)...]), version > 0
        else { return nil }
        self.init(schema: schema, version: version)
    }

    public var text: String { "\(schema.rawValue).\(version)" }

    /// The version a read in `schema` must have reached, if the request carried one.
    static func floor(for schema: SchemaName) -> Int64? {
        guard let seen = DataVersionToken.seen, seen.schema == schema else { return nil }
        return seen.version
    }

    /// The token the current request carried (set by `ReadYourWritesMiddleware`).
    @TaskLocal static var seen: DataVersionToken?
    /// Where the current request's writes leave their version, for its response.
    @TaskLocal static var written: WrittenVersion?
}

/// The newest version the request's writes committed.
final class WrittenVersion: Sendable {
    private let token = Mutex<DataVersionToken?>(nil)

    func record(_ schema: SchemaName, _ version: Int64) {
        token.withLock { current in
            if current.map({ $0.schema != schema || $0.version < version }) ?? true {
                current = DataVersionToken(schema: schema, version: version)
            }
        }
    }

    var value: DataVersionToken? { token.withLock { $0 } }
}
