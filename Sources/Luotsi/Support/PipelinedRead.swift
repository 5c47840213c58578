import Postgres

/// A read model as its statements and the decoding of their results, so that the reads one
/// page needs travel together in one pipeline (`and`), on the read-only path: one round trip.
struct PipelinedRead<Model: Sendable>: Sendable {
    let statements: [SQL]
    /// Gets exactly one result per statement, in order.
    let decode: @Sendable ([PostgresRows]) throws -> Model

    func read(on connection: some PostgresQuerying) async throws -> Model {
        try decode(try await connection.pipeline(statements))
    }

    /// Both reads in one pipeline.
    func and<Other: Sendable>(_ other: PipelinedRead<Other>) -> PipelinedRead<Both<Model, Other>> {
        let count = statements.count
        let first = decode
        return PipelinedRead<Both<Model, Other>>(statements: statements + other.statements) { results in
            Both(first: try first(Array(results.prefix(count))), second: try other.decode(Array(results.dropFirst(count))))
        }
    }

    /// The same statements, decoded further.
    func map<Other: Sendable>(_ transform: @escaping @Sendable (Model) throws -> Other) -> PipelinedRead<Other> {
        let decode = self.decode
        return PipelinedRead<Other>(statements: statements) { try transform(try decode($0)) }
    }
}

/// Two read models read together.
struct Both<First: Sendable, Second: Sendable>: Sendable {
    let first: First
    let second: Second
}
