import Postgres

/// A read model as its statements and the decoding of their results, so that the reads one
/// page needs travel together in one pipeline (`and`), on the read-only path: one round trip.
struct PipelinedRead<Model: Sendable>: Sendable {
    let statements: [SQL]
    /// Gets the results of `statements`, in order.
    let decode: @Sendable (PipelineResults) throws -> Model

    func read(on connection: some PostgresQuerying) async throws -> Model {
        try decode(PipelineResults(try await connection.pipeline(statements)))
    }

    /// Both reads in one pipeline.
    func and<Other: Sendable>(_ other: PipelinedRead<Other>) -> PipelinedRead<Both<Model, Other>> {
        let count = statements.count
        let first = decode
        return PipelinedRead<Both<Model, Other>>(statements: statements + other.statements) { results in
            Both(first: try first(results.prefix(count)), second: try other.decode(results.dropFirst(count)))
        }
    }

    /// The same statements, decoded further.
    func map<Other: Sendable>(_ transform: @escaping @Sendable (Model) throws -> Other) -> PipelinedRead<Other> {
        let decode = self.decode
        return PipelinedRead<Other>(statements: statements) { try transform(try decode($0)) }
    }
}

/// The results of a pipeline, one per statement. A missing one is an error, never a trap (a
/// pipeline answers every statement or throws, so it would mean a programming error).
struct PipelineResults: Sendable {
    private let results: [PostgresRows]

    init(_ results: [PostgresRows]) { self.results = results }

    /// The result of statement `index` (from 0).
    func at(_ index: Int) throws -> PostgresRows {
        guard results.indices.contains(index) else {
            throw PostgresError(kind: .decoding, message: "the pipeline has no result \(index) (of \(results.count))")
        }
        return results[index]
    }

    func prefix(_ count: Int) -> PipelineResults { PipelineResults(Array(results.prefix(count))) }
    func dropFirst(_ count: Int) -> PipelineResults { PipelineResults(Array(results.dropFirst(count))) }
    var all: ArraySlice<PostgresRows> { results[...] }
}

/// Two read models read together.
struct Both<First: Sendable, Second: Sendable>: Sendable {
    let first: First
    let second: Second
}
