import Foundation
import Postgres

/// The organisation's people for a form that lets someone choose one (an owner, a lead, an
/// assignee, members), with their names for the same page. Pages that only show names get them
/// joined into their own read model instead.
struct People: Sendable {
    let users: [User]

    static func read() -> PipelinedRead<People> {
        PipelinedRead(statements: ["SELECT id, email, name, role, active FROM users ORDER BY name, email"]) { results in
            People(users: try results.at(0).map(UserRepository.user))
        }
    }

    func name(_ id: UUID?) -> String {
        guard let id else { return "" }
        return users.first { $0.id == id }?.name ?? ""
    }

    /// The active people as choices, with `selected` chosen and an optional empty first choice.
    func options(selected: UUID?, emptyLabel: String?) -> [Option] {
        (emptyLabel.map { [Option(value: "", label: $0, selected: selected == nil)] } ?? [])
            + users.filter(\.active).map { Option(value: $0.id.uuidString, label: $0.name, selected: $0.id == selected) }
    }
}
