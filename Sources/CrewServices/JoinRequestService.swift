import CrewCore
import CrewStore
import Foundation

/// Joiners waiting for approval through a link that requires it.
public struct JoinRequestService: Sendable {
    let env: CrewEnvironment
    let audit: AuditLog
    let seats: SeatLedger
    let links: InviteLinkService

    public init(env: CrewEnvironment) {
        self.env = env
        self.audit = AuditLog(clock: env.clock)
        self.seats = SeatLedger(env: env)
        self.links = InviteLinkService(env: env)
    }

    public func listPending(_ access: WorkspaceAccess, on db: any Database) async throws -> [JoinRequestView] {
        try access.require(.editInviteLink)
        let requests = try await JoinRequestModel.query(on: db)
            .filter(\.$workspaceID == access.workspaceID).filter(\.$state == "pending").sort(\.$createdAt).sort(\.$seq).all()
        let users = try await UserModel.query(on: db).filter(\.$id ~~ requests.map(\.userID)).all()
        let byID = Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0) })
        return requests.map { request in
            JoinRequestView(
                id: request.id!.apiString, userId: request.userID.apiString, email: byID[request.userID]?.email ?? "",
                name: byID[request.userID]?.name ?? "",
                permissions: request.permissions.sorted(),
                createdAt: request.createdAt)
        }
    }

    /// Admits the joiner with the configuration copied when they asked.
    public func approve(_ access: WorkspaceAccess, requestID: UUID, on db: any Database) async throws -> MemberView {
        try access.require(.editInviteLink)
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            let request = try await findPending(requestID, in: access.workspaceID, on: tx)
            let permissions = request.permissions
            if try await MembershipModel.query(on: tx)
                .filter(\.$workspaceID == access.workspaceID).filter(\.$userID == request.userID).first() != nil
            {
                throw DomainError.conflict("This person is already a member.")
            }
            if Seats.countsAsSeat(role: .client, permissions: permissions) {
                try await seats.requireRoom(for: 1, in: access.workspaceID, on: tx)
            }
            // The link's days of access count from the approval, as they would from a join.
            let link = try await InviteLinkModel.query(on: tx).filter(\.$workspaceID == access.workspaceID).first()
            let member = links.newClient(
                userID: request.userID, workspaceID: access.workspaceID, permissions: permissions, platforms: request.allowedPlatforms,
                accessDays: link?.accessDays)
            guard try await member.insertUnlessMember(on: tx) else { throw DomainError.conflict("This person is already a member.") }
            _ = try await links.grant(request.accountIDs, to: member, on: tx)
            request.state = "approved"
            request.decidedAt = env.clock.now
            try await request.update(on: tx)
            let view = try await MemberService(env: env).view(of: member, on: tx)
            guard let email = view.email else { throw DomainError.notFound() }
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "link.join_approved", targetType: "member", targetID: view.id,
                    targetLabel: email, after: ["permissions": request.permissionsText]),
                by: access.actor, on: tx)
            let workspaceName = try await WorkspaceModel.find(access.workspaceID, on: tx)?.name ?? "the workspace"
            try await Outbox(env: env).enqueue(
                CrewMails.joinApproved(
                    workspaceName: workspaceName, workspaceID: access.workspaceID, approverName: access.actor.name, to: email,
                    publicURL: env.publicURL),
                on: tx)
            return view
        }
    }

    public func decline(_ access: WorkspaceAccess, requestID: UUID, on db: any Database) async throws {
        try access.require(.editInviteLink)
        try await db.writeTransaction { tx in
            let request = try await findPending(requestID, in: access.workspaceID, on: tx)
            request.state = "declined"
            request.decidedAt = env.clock.now
            try await request.update(on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "link.join_declined", targetType: "join_request",
                    targetID: request.id!.apiString, targetLabel: request.userID.apiString),
                by: access.actor, on: tx)
        }
    }

    private func findPending(_ id: UUID, in workspaceID: UUID, on db: any Database) async throws -> JoinRequestModel {
        guard let request = try await JoinRequestModel.query(on: db)
            .filter(\.$id == id).filter(\.$workspaceID == workspaceID).filter(\.$state == "pending").first()
        else { throw DomainError.notFound("No such pending join request.") }
        return request
    }
}
