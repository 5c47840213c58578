import Foundation
import Postgres

/// Management's page of the organisation's people: every account with its role, whether it
/// is active and whether it has a second factor on.
enum UserDirectory {
    struct Entry: Sendable {
        let user: User
        let secondFactorOn: Bool
    }

    static func read() -> PipelinedRead<[Entry]> {
        PipelinedRead(statements: [
            "SELECT id, email, name, role, active, totp_secret IS NOT NULL AS second_factor FROM users ORDER BY name, email"
        ]) { results in
            try results.at(0).map { Entry(user: try UserRepository.user(from: $0), secondFactorOn: try $0.decode("second_factor")) }
        }
    }
}
