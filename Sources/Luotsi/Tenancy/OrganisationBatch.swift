import Foundation

/// Many organisations from one list, for the first load of a national instance
/// (`luotsi org create-many`): each is created as `OrganisationRepository.create` does it (its
/// own transaction: schema, role, migrations, audit row), several at a time, in one process.
///
/// The whole list is checked before anything is created. An organisation whose slug already
/// exists is reported and left as it is, so a run that stopped half-way is resumed by running
/// the same list again.
public struct OrganisationBatch: Sendable {
    /// One line of the list: `slug<TAB>name`.
    public struct Entry: Sendable, Equatable {
        public let line: Int
        public let slug: String
        public let name: String

        public init(line: Int, slug: String, name: String) {
            self.line = line
            self.slug = slug
            self.name = name
        }
    }

    /// What became of one entry.
    public enum Outcome: Sendable {
        case created(Organisation, seconds: Double)
        case alreadyPresent
    }

    public struct Summary: Sendable, Equatable {
        public var created = 0
        public var alreadyPresent = 0
    }

    public let repository: OrganisationRepository
    /// How many organisations are created at once (each holds one pooled connection).
    public let jobs: Int

    public init(repository: OrganisationRepository, jobs: Int) {
        self.repository = repository
        self.jobs = max(1, min(jobs, repository.pool.configuration.maxConnections))
    }

    /// Reads the list: one organisation per line, slug and name separated by a tab; blank lines
    /// and lines starting with `#` are skipped. Every problem is reported with its line number,
    /// all at once, and nothing is created from a list that has any.
    public static func parse(_ text: String) throws -> [Entry] {
        var entries: [Entry] = []
        var problems: [String] = []
        var firstLine: [String: Int] = [:]
        // "\r\n" is one Character in Swift, and a newline like "\n".
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard fields.count == 2 else {
                problems.append("line \(number): expected a slug, a tab and a name")
                continue
            }
            let slug = String(fields[0])  // fields.count == 2 was checked: no input reaches a trap
            do {
                try Organisation.validate(slug: slug)
                let name = try Organisation.validate(name: String(fields[1]))
                if let earlier = firstLine[slug] {
                    problems.append("line \(number): slug \(slug) is already on line \(earlier)")
                    continue
                }
                firstLine[slug] = number
                entries.append(Entry(line: number, slug: slug, name: name))
            } catch let error as LuotsiError {
                problems.append("line \(number): \(error)")
            }
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(20).joined(separator: "\n")
            let more = problems.count > 20 ? "\n… and \(problems.count - 20) more" : ""
            throw LuotsiError.invalid(field: "list", reason: "\(problems.count) line(s) cannot be used:\n\(shown)\(more)")
        }
        guard !entries.isEmpty else { throw LuotsiError.invalid(field: "list", reason: "no organisations in it") }
        return entries
    }

    /// Creates the entries, `jobs` at a time, calling `report` as each one ends. The first
    /// failure other than "already present" stops the run: nothing more is started, what is
    /// under way finishes, and the error names the organisation.
    public func create(_ entries: [Entry], report: @escaping @Sendable (Entry, Outcome) -> Void) async throws -> Summary {
        let repository = repository
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            var pending = entries.makeIterator()
            var summary = Summary()
            func startNext() {
                guard let entry = pending.next() else { return }
                group.addTask {
                    let started = ContinuousClock.now
                    let outcome: Outcome
                    do {
                        let organisation = try await repository.create(slug: entry.slug, name: entry.name, management: nil)
                        outcome = .created(organisation, seconds: (ContinuousClock.now - started) / .seconds(1))
                    } catch LuotsiError.conflict {
                        outcome = .alreadyPresent
                    } catch {
                        throw BatchError(entry: entry, underlying: error)
                    }
                    report(entry, outcome)
                    return outcome
                }
            }
            for _ in 0..<jobs { startNext() }
            while let outcome = try await group.next() {
                switch outcome {
                case .created: summary.created += 1
                case .alreadyPresent: summary.alreadyPresent += 1
                }
                startNext()
            }
            return summary
        }
    }

    /// A failure while creating one organisation of the list.
    public struct BatchError: Error, CustomStringConvertible {
        public let entry: Entry
        public let underlying: any Error
        public var description: String {
            "organisation \(entry.slug) (line \(entry.line)) could not be created: \(underlying); the ones created before it stay, and running the same list again creates the rest"
        }
    }
}
