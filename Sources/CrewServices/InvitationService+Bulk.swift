import CrewCore
import CrewStore
import Foundation

extension InvitationService {
    /// Sends many pending invitations again (new tokens, fresh expiry), all or
    /// nothing: an id that is not a pending invitation here refuses the batch.
    /// Expired seat invitations need free seats again, counted once for all.
    /// - Returns: the resent invitation ids.
    public func resendMany(_ access: WorkspaceAccess, ids: [String], on db: any Database) async throws -> [String] {
        try access.require(.invite)
        try BulkIDs.check(ids, field: "invitationIds")
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            let invitations = try await pending(ids, in: access.workspaceID, on: tx)
            let reclaimed = invitations.filter { $0.countsAsSeat && $0.expiresAt <= env.clock.now }.count
            try await seats.requireRoom(for: reclaimed, in: access.workspaceID, on: tx)
            guard let workspace = try await WorkspaceModel.find(access.workspaceID, on: tx) else { throw DomainError.notFound() }
            for invitation in invitations { try await send(invitation, workspaceName: workspace.name, resent: true, on: tx) }
            try await recordEach(invitations, action: "invitation.resent", access: access, on: tx)
            return invitations.map { $0.id!.apiString }
        }
    }

    /// Revokes many pending invitations, all or nothing.
    /// - Returns: the revoked invitation ids.
    public func revokeMany(_ access: WorkspaceAccess, ids: [String], on db: any Database) async throws -> [String] {
        try access.require(.invite)
        try BulkIDs.check(ids, field: "invitationIds")
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            let invitations = try await pending(ids, in: access.workspaceID, on: tx)
            for invitation in invitations {
                invitation.state = InvitationModel.revoked
                invitation.closedAt = env.clock.now
                try await invitation.update(on: tx)
            }
            try await recordEach(invitations, action: "invitation.revoked", access: access, on: tx)
            return invitations.map { $0.id!.apiString }
        }
    }

    /// The pending invitations of this workspace named by `ids`, in their
    /// order, or the refusal naming every id that is not one.
    private func pending(_ ids: [String], in workspaceID: UUID, on tx: any Database) async throws -> [InvitationModel] {
        let parsed = ids.map { UUID(uuidString: $0) }
        let found = try await InvitationModel.query(on: tx)
            .filter(\.$workspaceID == workspaceID).filter(\.$state == InvitationModel.pending).filter(\.$id ~~ parsed.compactMap { $0 }).all()
        let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.id!, $0) })
        let refused = zip(ids, parsed).compactMap { text, id in
            id.flatMap { byID[$0] } == nil ? Refusal(id: text, code: "not_found", detail: "No such pending invitation.") : nil
        }
        guard refused.isEmpty else { throw BulkRefused(refused: refused) }
        return parsed.compactMap { $0.flatMap { byID[$0] } }
    }

    private func recordEach(_ invitations: [InvitationModel], action: String, access: WorkspaceAccess, on tx: any Database) async throws {
        let batch = invitations.count > 1 ? UUID() : nil
        try await audit.record(
            invitations.map {
                AuditEntry(
                    workspaceID: access.workspaceID, action: action, targetType: "invitation", targetID: $0.id!.apiString,
                    targetLabel: $0.email, batchID: batch)
            },
            by: access.actor, on: tx)
    }
}
