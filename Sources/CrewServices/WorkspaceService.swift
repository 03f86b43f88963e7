import CrewCore
import CrewStore
import Foundation

/// Creating workspaces and reading them with their plan usage.
public struct WorkspaceService: Sendable {
    let env: CrewEnvironment
    let audit: AuditLog

    public init(env: CrewEnvironment) {
        self.env = env
        self.audit = AuditLog(clock: env.clock)
    }

    /// Creates a workspace on a plan; the creator becomes its owner.
    public func create(name rawName: String, plan planID: String, ownerID: UUID, actor: Actor, on db: any Database) async throws -> WorkspaceView {
        var validator = FieldValidator()
        let name = validator.check { () throws(DomainError) in try AccountRules.validName(rawName) }
        validator.check { () throws(DomainError) in try env.plans.require(planID) }
        try validator.finish()
        guard let name else { preconditionFailure("finish() throws when a check failed") }

        return try await db.transaction { tx in
            let now = env.clock.now
            let workspace = WorkspaceModel(name: name, plan: planID, createdAt: now)
            try await workspace.create(on: tx)
            let membership = MembershipModel(
                workspaceID: try workspace.requireID(), userID: ownerID, role: .owner, joinedVia: "owner", joinedAt: now)
            try await membership.create(on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: workspace.id, action: "workspace.created", targetType: "workspace",
                    targetID: workspace.id!.apiString, targetLabel: name, after: ["name": name, "plan": planID]),
                by: actor, on: tx)
            return try await view(of: workspace, on: tx)
        }
    }

    /// The caller's membership of a workspace. Someone who is not a member gets
    /// "not found", so ids of other workspaces reveal nothing.
    public func membership(userID: UUID, workspaceID: UUID, on db: any Database) async throws -> MembershipModel {
        guard let membership = try await MembershipModel.query(on: db)
            .filter(\.$workspaceID == workspaceID).filter(\.$userID == userID).first()
        else { throw DomainError.notFound("No such workspace.") }
        return membership
    }

    public func get(_ workspaceID: UUID, on db: any Database) async throws -> WorkspaceView {
        guard let workspace = try await WorkspaceModel.find(workspaceID, on: db) else {
            throw DomainError.notFound("No such workspace.")
        }
        return try await view(of: workspace, on: db)
    }

    private func view(of workspace: WorkspaceModel, on db: any Database) async throws -> WorkspaceView {
        let plan = env.plans[workspace.plan] ?? Plan(id: workspace.plan, seatLimit: 0, accountLimit: 0)
        let seatsUsed = try await MembershipModel.query(on: db)
            .filter(\.$workspaceID == workspace.id!).filter(\.$countsAsSeat == true).count()
        // No social accounts can be connected before the accounts feature exists,
        // so none are in use.
        let accountsUsed = 0
        return WorkspaceView(
            id: workspace.id!.apiString, name: workspace.name, plan: workspace.plan,
            seats: Usage(limit: plan.seatLimit, used: seatsUsed),
            accounts: Usage(limit: plan.accountLimit, used: accountsUsed),
            createdAt: workspace.createdAt)
    }
}
