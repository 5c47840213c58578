import Foundation
import Postgres

/// The anonymised national roll-up for platform admins: per catalogue goal, how many
/// organisations adopted it and how their latest status and attainment are distributed.
/// A figure is shown only when drawn from at least `minimumOrganisations` organisations, and no
/// organisation's text ever leaves its schema.
///
/// Which organisations count is chosen so that a platform admin cannot narrow the group down to
/// one real organisation: every organisation counts whatever its status (suspending the others
/// does not isolate one), but only once it is `minimumAgeDays` old (dummy organisations made to
/// fill the group do not count until then, and their creation is in the platform audit log).
public struct NationalRollup: Codable, Sendable {
    public struct GoalFigures: Codable, Sendable {
        public let code: String
        public let theme: String
        public let name: String
        /// `null` when fewer than the minimum adopted it.
        public let adoptedBy: Int?
        public let suppressed: Bool
        /// Organisations by the status of their adopted goal (latest per organisation).
        public let statuses: [String: Int]?
        /// Organisations by their latest reported attainment, in quarter buckets.
        public let attainment: [String: Int]?
    }

    public static let minimumOrganisations = 3
    public static let minimumAgeDays = 30

    public let catalogueVersion: Int
    public let language: Language
    public let organisations: Int
    public let minimumOrganisations: Int
    public let goals: [GoalFigures]

    /// What the roll-up is made of: the latest status and attainment of each adopted catalogue
    /// goal in each counted organisation. Reading it touches every organisation, so it is kept
    /// for a while (`RollupCache`) rather than read again on every request.
    public struct Adoptions: Sendable {
        let organisations: Int
        let perCode: [String: [(status: String, attainment: Int?)]]
    }

    /// Reads each counted organisation's adoptions inside that organisation's own transaction.
    static func gather(organisations: OrganisationRepository, tenants: TenantDatabase, platform: SchemaName) async throws -> Adoptions {
        let established = Date.now.addingTimeInterval(-Double(minimumAgeDays) * 86_400)
        let counted = try await organisations.list().filter { $0.createdAt <= established }
        var perCode: [String: [(status: String, attainment: Int?)]] = [:]
        for organisation in counted {
            let rows = try await tenants.withTenant(organisation.schema) { connection in
                try await connection.query(
                    """
                    SELECT DISTINCT ON (c.code) c.code, g.status,
                        (SELECT attainment FROM checkins k WHERE k.goal_id = g.id ORDER BY k.seq DESC LIMIT 1) AS attainment
                    FROM goals g JOIN \(schema: platform).catalogue_goals c ON c.id = g.catalogue_goal_id
                    ORDER BY c.code, g.updated_at DESC
                    """)
            }
            for row in rows {
                perCode[try row.decode("code"), default: []].append((try row.decode("status"), try row.decode("attainment", as: Int?.self)))
            }
        }
        return Adoptions(organisations: counted.count, perCode: perCode)
    }

    /// The roll-up in `language`, from adoptions at most `RollupCache.maxAge` old.
    public static func build(cache: RollupCache, catalogue: CatalogueRepository, language: Language) async throws -> NationalRollup {
        let view = try await catalogue.view(language: language)
        let adoptions = try await cache.adoptions()
        let perCode = adoptions.perCode
        let goals = view.themes.flatMap { theme in
            theme.goals.map { goal -> GoalFigures in
                let adoptions = perCode[goal.code] ?? []
                guard adoptions.count >= minimumOrganisations else {
                    return GoalFigures(
                        code: goal.code, theme: theme.code, name: goal.name, adoptedBy: nil, suppressed: true, statuses: nil,
                        attainment: nil)
                }
                let statuses = Dictionary(grouping: adoptions, by: \.status).mapValues(\.count)
                let attainments = adoptions.compactMap(\.attainment)
                let buckets: [String: Int]? =
                    attainments.count >= minimumOrganisations
                    ? Dictionary(grouping: attainments, by: bucket).mapValues(\.count) : nil
                return GoalFigures(
                    code: goal.code, theme: theme.code, name: goal.name, adoptedBy: adoptions.count, suppressed: false, statuses: statuses,
                    attainment: buckets)
            }
        }
        return NationalRollup(
            catalogueVersion: view.version, language: language, organisations: adoptions.organisations,
            minimumOrganisations: minimumOrganisations,
            goals: goals)
    }

    static func bucket(_ attainment: Int) -> String {
        switch attainment {
        case ..<25: "0-24"
        case 25..<50: "25-49"
        case 50..<75: "50-74"
        default: "75-100"
        }
    }
}
