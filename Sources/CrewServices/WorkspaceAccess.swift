import CrewCore
import CrewStore
import Foundation

/// The caller's membership of the workspace in the request path, resolved once
/// per request. Everything a use case needs to authorize the caller.
public struct WorkspaceAccess: Sendable {
    public var workspaceID: UUID
    public var membershipID: UUID
    public var userID: UUID
    public var facts: MemberFacts
    /// The caller, for audit rows.
    public var actor: Actor

    public var role: Role { facts.role }

    /// Throws the policy's refusal when the caller may not do `action`.
    public func require(_ action: Action, accountAssigned: Bool = false) throws(DomainError) {
        try Policy.require(facts, action, accountAssigned: accountAssigned)
    }
}

extension WorkspaceService {
    /// Resolves the caller's access to a workspace; not a member means "not found".
    public func access(userID: UUID, workspaceID: UUID, actor: Actor, on db: any Database) async throws -> WorkspaceAccess {
        let membership = try await membership(userID: userID, workspaceID: workspaceID, on: db)
        return WorkspaceAccess(
            workspaceID: workspaceID, membershipID: try membership.requireID(), userID: userID,
            facts: MemberFacts(role: membership.role, permissions: membership.permissions, allowedPlatforms: membership.allowedPlatforms),
            actor: actor)
    }
}
