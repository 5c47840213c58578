import Foundation
import Testing

@testable import Luotsi

/// The rules that used to be written twice (issue 17), now each in one policy that the
/// repositories refuse with and the pages show from.
@Suite("Goal and task policies")
struct PolicyTests {
    static func forbidden(_ error: LuotsiError?) -> Bool {
        if case .forbidden = error { return true }
        return false
    }

    static func conflict(_ error: LuotsiError?) -> Bool {
        if case .conflict = error { return true }
        return false
    }

    @Test("funnel moves: leads sift any goal but schedule, drop and close only procurement goals; staff move nothing")
    func funnelMoves() {
        let management = GoalPolicy(role: .management)
        let lead = GoalPolicy(role: .lead)
        let staff = GoalPolicy(role: .staff)
        #expect(management.moves(from: .idea, level: .organisation) == [.shortlisted, .rejected])
        #expect(lead.moves(from: .idea, level: .organisation) == [.shortlisted, .rejected])
        #expect(staff.moves(from: .idea, level: .organisation).isEmpty)
        #expect(management.moves(from: .shortlisted, level: .organisation).contains(.scheduled))
        #expect(!lead.moves(from: .shortlisted, level: .organisation).contains(.scheduled))
        #expect(lead.moves(from: .shortlisted, level: .procurement).contains(.scheduled))
        #expect(Self.forbidden(lead.refusal(moving: .shortlisted, to: .scheduled, level: .organisation)))
        #expect(Self.conflict(management.refusal(moving: .idea, to: .scheduled, level: .procurement)))
        #expect(lead.scheduleChangeRefusal(level: .organisation) != nil)
        #expect(lead.scheduleChangeRefusal(level: .procurement) == nil)
        #expect(
            management.maySchedule(level: .organisation) && !lead.maySchedule(level: .organisation)
                && !staff.maySchedule(level: .procurement))
    }

    @Test("check-ins: scheduled goals only; staff only in their own procurements")
    func checkIns() {
        #expect(GoalPolicy(role: .staff).checkInRefusal(status: .scheduled, inProcurement: true) == nil)
        #expect(Self.forbidden(GoalPolicy(role: .staff).checkInRefusal(status: .scheduled, inProcurement: false)))
        #expect(GoalPolicy(role: .lead).checkInRefusal(status: .scheduled, inProcurement: false) == nil)
        #expect(Self.conflict(GoalPolicy(role: .management).checkInRefusal(status: .shortlisted, inProcurement: true)))
        #expect(Self.forbidden(GoalPolicy(role: .platformAdmin).checkInRefusal(status: .scheduled, inProcurement: true)))
    }

    @Test("tasks: staff change only the status of their own; leads and management anything")
    func tasks() {
        let me = UUID()
        let staff = TaskPolicy(role: .staff, person: me)
        #expect(staff.refusal(assignedTo: me, statusOnly: true) == nil)
        #expect(Self.forbidden(staff.refusal(assignedTo: me, statusOnly: false)))
        #expect(Self.forbidden(staff.refusal(assignedTo: UUID(), statusOnly: true)))
        #expect(staff.mayChangeStatus(assignedTo: me) && !staff.mayChangeStatus(assignedTo: nil))
        #expect(TaskPolicy(role: .lead, person: me).refusal(assignedTo: UUID(), statusOnly: false) == nil)
    }
}
