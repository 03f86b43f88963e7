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

        return try await db.writeTransaction { tx in
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
        guard let membership = try await MembershipModel.of(userID, in: workspaceID, on: db)
        else { throw DomainError.notFound("No such workspace.") }
        return membership
    }

    public func get(_ workspaceID: UUID, on db: any Database) async throws -> WorkspaceView {
        guard let workspace = try await WorkspaceModel.find(workspaceID, on: db) else {
            throw DomainError.notFound("No such workspace.")
        }
        return try await view(of: workspace, on: db)
    }

    /// Renames the workspace (owner and admins) or changes its plan (owner only).
    /// A smaller plan is refused while more seats or accounts are in use than it allows.
    public func update(_ access: WorkspaceAccess, name rawName: String?, plan planID: String?, on db: any Database) async throws -> WorkspaceView {
        try access.require(.manageMembers)
        var validator = FieldValidator()
        let name = validator.check(rawName) { (text: String) throws(DomainError) in try AccountRules.validName(text) }
        let plan = validator.check(planID) { (id: String) throws(DomainError) in try env.plans.require(id) }
        try validator.finish()
        if plan != nil { try access.require(.changePlan) }
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            guard let workspace = try await WorkspaceModel.find(access.workspaceID, on: tx) else { throw DomainError.notFound() }
            let before = ["name": workspace.name, "plan": workspace.plan]
            if let name { workspace.name = name }
            if let plan {
                let current = try await view(of: workspace, on: tx)
                if let limit = plan.seatLimit, current.seats.used > limit {
                    throw DomainError.seatLimitReached(
                        "The \(plan.id) plan has \(limit) seats but \(current.seats.used) are in use; remove members or revoke invitations first.")
                }
                if let limit = plan.accountLimit, current.accounts.used > limit {
                    throw DomainError.accountLimitReached(
                        "The \(plan.id) plan allows \(limit) social accounts but \(current.accounts.used) are connected.")
                }
                workspace.plan = plan.id
            }
            try await workspace.update(on: tx)
            let after = ["name": workspace.name, "plan": workspace.plan]
            if before != after {
                try await audit.record(
                    AuditEntry(
                        workspaceID: access.workspaceID, action: before["plan"] != after["plan"] ? "workspace.plan_changed" : "workspace.renamed",
                        targetType: "workspace", targetID: access.workspaceID.apiString, targetLabel: workspace.name,
                        before: before, after: after),
                    by: access.actor, on: tx)
            }
            return try await view(of: workspace, on: tx)
        }
    }

    private func view(of workspace: WorkspaceModel, on db: any Database) async throws -> WorkspaceView {
        let ledger = SeatLedger(env: env)
        let plan = ledger.plan(of: workspace)
        let accountsUsed = try await SocialAccountModel.countAgainstLimit(in: workspace.id!, on: db)
        return WorkspaceView(
            id: workspace.id!.apiString, name: workspace.name, plan: workspace.plan,
            seats: try await ledger.usage(of: workspace, on: db),
            accounts: Usage(limit: plan.accountLimit, used: accountsUsed),
            createdAt: workspace.createdAt)
    }
}

extension WorkspaceService {
    /// The workspace a membership belongs to.
    public func workspaceID(ofMember memberID: UUID, on db: any Database) async throws -> UUID {
        guard let member = try await MembershipModel.find(memberID, on: db) else { throw DomainError.notFound() }
        return member.workspaceID
    }
}
