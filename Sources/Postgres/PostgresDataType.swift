/// The PostgreSQL type OIDs this layer binds and decodes (`pg_type.oid`, stable across versions).
public struct PostgresDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Lets the server infer the parameter's type from its context.
    public static let unspecified = PostgresDataType(rawValue: 0)
    public static let bool = PostgresDataType(rawValue: 16)
    public static let bytea = PostgresDataType(rawValue: 17)
    public static let name = PostgresDataType(rawValue: 19)
    public static let int8 = PostgresDataType(rawValue: 20)
    public static let int2 = PostgresDataType(rawValue: 21)
    public static let int4 = PostgresDataType(rawValue: 23)
    public static let text = PostgresDataType(rawValue: 25)
    public static let oid = PostgresDataType(rawValue: 26)
    public static let json = PostgresDataType(rawValue: 114)
    public static let float4 = PostgresDataType(rawValue: 700)
    public static let float8 = PostgresDataType(rawValue: 701)
    public static let bpchar = PostgresDataType(rawValue: 1042)
    public static let varchar = PostgresDataType(rawValue: 1043)
    public static let date = PostgresDataType(rawValue: 1082)
    public static let timestamp = PostgresDataType(rawValue: 1114)
    public static let timestamptz = PostgresDataType(rawValue: 1184)
    public static let numeric = PostgresDataType(rawValue: 1700)
    public static let uuid = PostgresDataType(rawValue: 2950)
    public static let jsonb = PostgresDataType(rawValue: 3802)
    public static let textArray = PostgresDataType(rawValue: 1009)
    public static let varcharArray = PostgresDataType(rawValue: 1015)
    public static let uuidArray = PostgresDataType(rawValue: 2951)
    public static let numericArray = PostgresDataType(rawValue: 1231)

    /// Text-like types that decode to `String`.
    public var isText: Bool { self == .text || self == .varchar || self == .bpchar || self == .name }

    public var description: String {
        switch self {
        case .bool: "bool"
        case .int2: "int2"
        case .int4: "int4"
        case .int8: "int8"
        case .text: "text"
        case .varchar: "varchar"
        case .float4: "float4"
        case .float8: "float8"
        case .numeric: "numeric"
        case .uuid: "uuid"
        case .date: "date"
        case .timestamptz: "timestamptz"
        case .timestamp: "timestamp"
        case .jsonb: "jsonb"
        case .json: "json"
        case .textArray: "text[]"
        case .uuidArray: "uuid[]"
        case .numericArray: "numeric[]"
        default: "oid \(rawValue)"
        }
    }
}
