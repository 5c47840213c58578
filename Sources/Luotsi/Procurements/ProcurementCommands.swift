import Foundation

/// `PATCH …/procurements/{id}` and the procurement page's form, checked before any transaction
/// opens, so an error names the same field for both; what is `.absent` stays as it is. What needs
/// the organisation's data (the lead, the members, the procurement's own state) is checked by
/// `ProcurementRepository` inside it.
public struct ProcurementChanges: Sendable {
    public let title: String?
    public let reference: Patch<String>
    public let category: Patch<String>
    public let estimatedValue: Patch<Decimal>
    public let phase: ProcurementPhase?
    public let leadID: Patch<UUID>
    /// `[]` when `null` was given: no members.
    public let memberIDs: [UUID]?
    public let impact: ImpactInput?

    public init(
        title: Patch<String> = .absent, reference: Patch<String> = .absent, category: Patch<String> = .absent,
        estimatedValue: Patch<Decimal> = .absent, phase: Patch<String> = .absent, leadID: Patch<UUID> = .absent,
        memberIDs: Patch<[UUID]> = .absent, impact: Patch<ImpactInput> = .absent
    ) throws {
        switch title {
        case .absent: self.title = nil
        case .null: throw LuotsiError.invalid(field: "title", reason: "must not be null")
        case .value(let text): self.title = try TextRules.title(text)
        }
        if let text = reference.value { _ = try TextRules.limited(text, field: "reference", max: 100) }
        if let text = category.value { _ = try TextRules.limited(text, field: "category", max: 100) }
        if let value = estimatedValue.value, value < 0 || value > 99_999_999_999_999 {
            throw LuotsiError.invalid(field: "estimatedValue", reason: "must be 0 or more euros (below 10^14)")
        }
        (self.reference, self.category, self.estimatedValue, self.leadID) = (reference, category, estimatedValue, leadID)
        switch phase {
        case .absent: self.phase = nil
        case .null: throw LuotsiError.invalid(field: "phase", reason: "must not be null")
        case .value(let text): self.phase = try ProcurementPhase.parse(text)
        }
        if let members = memberIDs.value, members.count > 200 {
            throw LuotsiError.invalid(field: "memberIds", reason: "at most 200 members")
        }
        self.memberIDs = memberIDs.isPresent ? memberIDs.value ?? [] : nil
        try impact.value?.validate()
        self.impact = impact.value
    }

    public init(_ input: ProcurementPatchInput) throws {
        try self.init(
            title: input.title, reference: input.reference, category: input.category, estimatedValue: input.estimatedValue,
            phase: input.phase, leadID: input.leadId, memberIDs: input.memberIds, impact: input.impact)
    }
}
