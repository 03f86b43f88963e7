import CrewCore
import CrewStore
import Foundation

/// What the accept page shows before someone joins.
public struct InvitationPreview: Sendable {
    public var workspaceName: String
    public var email: String
    public var role: Role
    public var invitedBy: String
    public var permissions: [ClientPermission]
    public var expiresAt: Date
}

extension InvitationService {
    /// Finds the pending, unexpired invitation behind a token, or `invitation_inactive`.
    func findActive(token: String, on db: any Database) async throws -> InvitationModel {
        guard SecureToken.isWellFormed(token),
            let invitation = try await InvitationModel.query(on: db).filter(\.$tokenHash == SecureToken.hash(token)).first()
        else { throw DomainError.invitationInactive("This invitation link is not valid. Ask for a new invitation.") }
        guard invitation.state == InvitationModel.pending else {
            throw DomainError.invitationInactive("This invitation was already used or was revoked.")
        }
        guard invitation.expiresAt > env.clock.now else {
            throw DomainError.invitationInactive("This invitation has expired. Ask for a new one.")
        }
        return invitation
    }

    public func preview(token: String, on db: any Database) async throws -> InvitationPreview {
        let invitation = try await findActive(token: token, on: db)
        let workspace = try await WorkspaceModel.find(invitation.workspaceID, on: db)
        return InvitationPreview(
            workspaceName: workspace?.name ?? "", email: invitation.email, role: invitation.role,
            invitedBy: invitation.invitedByName, permissions: invitation.permissions.sorted(), expiresAt: invitation.expiresAt)
    }

    /// Accepts an invitation as the signed-in person, whose email must match.
    /// Single use: the invitation closes in the same transaction that adds the member.
    public func accept(token: String, identity: Identity, ip: String?, on db: any Database) async throws -> MemberView {
        let probe = try await findActive(token: token, on: db)
        return try await db.workspaceTransaction(probe.workspaceID) { tx in
            // Re-read under the lock: a concurrent accept or revoke may have closed it.
            let invitation = try await findActive(token: token, on: tx)
            guard invitation.email == identity.email else {
                throw DomainError.forbidden("This invitation was sent to another email address; sign in as \(invitation.email).")
            }
            if try await MembershipModel.query(on: tx)
                .filter(\.$workspaceID == invitation.workspaceID).filter(\.$userID == identity.userID).first() != nil
            {
                throw DomainError.conflict("You are already a member of this workspace.")
            }
            if AccessExpiry.hasEnded(invitation.accessUntil, at: env.clock.now) {
                throw DomainError.invitationInactive("The access this invitation offered has already ended. Ask for a new invitation.")
            }
            // Close the invitation first: it held a seat that now passes to the
            // member, so the count below must not include it.
            invitation.state = InvitationModel.accepted
            invitation.closedAt = env.clock.now
            try await invitation.update(on: tx)
            if invitation.countsAsSeat {
                try await seats.requireRoom(for: 1, in: invitation.workspaceID, on: tx)
            }
            let member = MembershipModel(
                workspaceID: invitation.workspaceID, userID: identity.userID, role: invitation.role,
                permissions: invitation.permissions, allowedPlatforms: invitation.allowedPlatforms,
                joinedVia: "email", joinedAt: env.clock.now, accessUntil: invitation.accessUntil)
            try await member.create(on: tx)
            // Accounts disconnected since the invitation was sent are skipped.
            let accounts = try await SocialAccountModel.query(on: tx)
                .filter(\.$workspaceID == invitation.workspaceID).filter(\.$id ~~ invitation.accountIDs).all(\.$id)
            try await AccessGrants.replaceGrants(of: member, with: accounts, on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: invitation.workspaceID, action: "invitation.accepted", targetType: "member",
                    targetID: member.id!.apiString, targetLabel: identity.email,
                    after: ["role": invitation.roleText, "permissions": invitation.permissionsText]),
                by: Actor(userID: identity.userID, name: identity.name, ip: ip), on: tx)
            return try await MemberService(env: env).view(of: member, on: tx)
        }
    }
}
