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

    /// Members that take a seat plus pending, unexpired invitations for seat
    /// roles: one statement (it runs under the workspace lock).
    public func seatsUsed(in workspaceID: UUID, on db: any Database) async throws -> Int {
        try await count(
            """
            (SELECT COUNT(*) FROM \(ident: MembershipModel.schema) WHERE workspace_id = \(bind: workspaceID) AND counts_as_seat = \(bind: true))
            + \(pendingSeatInvitationCount(workspaceID))
            """, on: db)
    }

    /// Pending, unexpired invitations that will take a seat when accepted.
    public func pendingSeatInvitations(in workspaceID: UUID, on db: any Database) async throws -> Int {
        try await count(pendingSeatInvitationCount(workspaceID), on: db)
    }

    /// The rule for invitations that hold a seat, as a subquery both counts share.
    private func pendingSeatInvitationCount(_ workspaceID: UUID) -> SQLQueryString {
        """
        (SELECT COUNT(*) FROM \(ident: InvitationModel.schema) WHERE workspace_id = \(bind: workspaceID) \
        AND state = \(bind: InvitationModel.pending) AND counts_as_seat = \(bind: true) AND expires_at > \(bind: env.clock.now))
        """
    }

    private func count(_ expression: SQLQueryString, on db: any Database) async throws -> Int {
        let row = try await (db as! any SQLDatabase).raw("SELECT \(expression) AS n").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    public func usage(of workspace: WorkspaceModel, on db: any Database) async throws -> Usage {
        Usage(limit: plan(of: workspace).seatLimit, used: try await seatsUsed(in: workspace.requireID(), on: db))
    }

    public func plan(of workspace: WorkspaceModel) -> Plan {
        plan(named: workspace.plan)
    }

    /// An unknown plan (removed from the configuration) has no seats.
    func plan(named id: String) -> Plan {
        env.plans[id] ?? Plan(id: id, seatLimit: 0, accountLimit: 0)
    }

    /// Refuses with `seat_limit_reached` when `additional` more seats do not fit.
    public func requireRoom(for additional: Int, in workspaceID: UUID, on db: any Database) async throws {
        guard additional > 0 else { return }
        guard let workspace = try await WorkspaceModel.first(where: ["id": workspaceID], on: db) else { throw DomainError.notFound() }
        try await requireRoom(for: additional, in: workspaceID, plan: workspace.plan, on: db)
    }

    /// The same, for a caller that has read the workspace's plan under the lock.
    public func requireRoom(for additional: Int, in workspaceID: UUID, plan planID: String, on db: any Database) async throws {
        guard additional > 0 else { return }
        // A plan without a seat limit has room whatever the count: skip counting.
        let limit = plan(named: planID).seatLimit
        guard limit != nil else { return }
        let usage = Usage(limit: limit, used: try await seatsUsed(in: workspaceID, on: db))
        guard usage.allows(adding: additional) else {
            throw DomainError.seatLimitReached(Self.message(usage: usage, plan: planID, additional: additional))
        }
    }

    static func message(usage: Usage, plan: String, additional: Int) -> String {
        "The \(plan) plan has \(usage.limit ?? 0) seats and \(usage.used) are in use; "
            + "this needs \(additional) more. Upgrade the plan or free a seat."
    }
}
