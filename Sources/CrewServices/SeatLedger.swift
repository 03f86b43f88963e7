import CrewCore
import CrewStore
import Foundation

/// Counts seats exactly as DESIGN §2 says and refuses changes that would exceed
/// the plan. Callers hold the workspace lock (`WorkspaceLock`) in the same
/// transaction, so the count cannot change between the check and the write.
public struct SeatLedger: Sendable {
    let env: CrewEnvironment

    public init(env: CrewEnvironment) {
        self.env = env
    }

    /// Members that take a seat plus pending, unexpired invitations for seat roles.
    public func seatsUsed(in workspaceID: UUID, on db: any Database) async throws -> Int {
        let members = try await MembershipModel.query(on: db)
            .filter(\.$workspaceID == workspaceID).filter(\.$countsAsSeat == true).count()
        return members + (try await pendingSeatInvitations(in: workspaceID, on: db))
    }

    /// Pending, unexpired invitations that will take a seat when accepted.
    public func pendingSeatInvitations(in workspaceID: UUID, on db: any Database) async throws -> Int {
        try await InvitationModel.query(on: db)
            .filter(\.$workspaceID == workspaceID).filter(\.$state == InvitationModel.pending)
            .filter(\.$countsAsSeat == true).filter(\.$expiresAt > env.clock.now).count()
    }

    public func usage(of workspace: WorkspaceModel, on db: any Database) async throws -> Usage {
        Usage(limit: plan(of: workspace).seatLimit, used: try await seatsUsed(in: workspace.requireID(), on: db))
    }

    public func plan(of workspace: WorkspaceModel) -> Plan {
        env.plans[workspace.plan] ?? Plan(id: workspace.plan, seatLimit: 0, accountLimit: 0)
    }

    /// Refuses with `seat_limit_reached` when `additional` more seats do not fit.
    public func requireRoom(for additional: Int, in workspaceID: UUID, on db: any Database) async throws {
        guard additional > 0 else { return }
        guard let workspace = try await WorkspaceModel.first(where: ["id": workspaceID], on: db) else { throw DomainError.notFound() }
        // A plan without a seat limit has room whatever the count: skip counting.
        guard plan(of: workspace).seatLimit != nil else { return }
        let usage = try await usage(of: workspace, on: db)
        guard usage.allows(adding: additional) else {
            throw DomainError.seatLimitReached(Self.message(usage: usage, plan: workspace.plan, additional: additional))
        }
    }

    static func message(usage: Usage, plan: String, additional: Int) -> String {
        "The \(plan) plan has \(usage.limit ?? 0) seats and \(usage.used) are in use; "
            + "this needs \(additional) more. Upgrade the plan or free a seat."
    }
}
