import CrewCore
import CrewStore
import Foundation

extension InviteLinkService {
    /// What a token refers to.
    enum TokenLookup {
        case live(InviteLinkModel)
        /// A token a refresh replaced: the link is gone for good (410).
        case retired(workspaceID: UUID)
        case unknown
    }

    func lookup(_ token: String, on db: any Database) async throws -> TokenLookup {
        guard SecureToken.isWellFormed(token) else { return .unknown }
        let hash = SecureToken.hash(token)
        if let link = try await InviteLinkModel.first(where: ["token_hash": hash], on: db) { return .live(link) }
        if let retired = try await RetiredLinkTokenModel.first(where: ["token_hash": hash], on: db) {
            return .retired(workspaceID: retired.workspaceID)
        }
        return .unknown
    }

    /// Counts a wrong or inactive token against the client's IP and answers with
    /// `error`. The answer never says which wrong tokens are close to right ones.
    private func miss(_ error: DomainError, ip: String?, on db: any Database) async throws -> Never {
        try await limiter.hit("link-miss:\(ip ?? "unknown")", window: 60, on: db)
        throw error
    }

    private func requireNotThrottled(ip: String?, on db: any Database) async throws {
        try await limiter.check("link-miss:\(ip ?? "unknown")", limit: Self.missLimit, window: 60, on: db)
    }

    static let unknownLink = DomainError.notFound("This invite link does not exist. Ask the workspace for a new one.")
    static let inactiveLink = DomainError.linkInactive("This invite link is not active right now. Ask the workspace owner for a new link.")

    /// The active link behind a token, or the 404/410 refusal (counted as a miss).
    /// - Parameter refusedInWorkspace: called first when the link exists but is
    ///   disabled, used up or refreshed, with its workspace (to audit a refused join).
    private func activeLink(
        _ token: String, ip: String?, on db: any Database,
        refusedInWorkspace: ((UUID) async throws -> Void)? = nil
    ) async throws -> InviteLinkModel {
        switch try await lookup(token, on: db) {
        case .unknown:
            try await miss(Self.unknownLink, ip: ip, on: db)
        case .retired(let workspaceID):
            try await refusedInWorkspace?(workspaceID)
            try await miss(Self.inactiveLink, ip: ip, on: db)
        case .live(let link):
            guard InviteLinkRules.isActive(link.schedule, uses: link.uses, maxUses: link.maxUses, at: env.clock.now) else {
                try await refusedInWorkspace?(link.workspaceID)
                try await miss(Self.inactiveLink, ip: ip, on: db)
            }
            return link
        }
    }

    /// What the joiner will get (no sign-in needed).
    public func preview(token: String, ip: String?, on db: any Database) async throws -> JoinPreview {
        try await requireNotThrottled(ip: ip, on: db)
        let link = try await activeLink(token, ip: ip, on: db)
        let workspace = try await WorkspaceModel.first(where: ["id": link.workspaceID], on: db)
        return JoinPreview(
            workspace: .init(name: workspace?.name ?? ""), permissions: link.permissions.sorted(),
            allowedPlatforms: link.allowedPlatforms.sorted(), requireApproval: link.requireApproval)
    }

    /// Joins the signed-in person as a client with a copy of the link's
    /// configuration. Existing members are left as they are.
    public func join(token: String, identity: Identity, ip: String?, on db: any Database) async throws -> JoinOutcome {
        try await requireNotThrottled(ip: ip, on: db)
        let actor = Actor(userID: identity.userID, name: identity.name, ip: ip)
        let probe = try await activeLink(token, ip: ip, on: db) { workspaceID in
            try await auditRefusedJoin(workspaceID: workspaceID, token: token, identity: identity, actor: actor, on: db)
        }
        // The answer is made after the commit: the workspace lock is held only
        // for the check and the writes, and for as few statements as the rules
        // allow (each costs two thread hops; bench/NOTES.md).
        enum Decided {
            case joined(MembershipModel, grants: [UUID]), awaitingApproval(String)
        }
        do {
            let decided = try await db.lockingTransaction { tx -> Decided in
                try await WorkspaceLock.acquireOnPostgreSQL(probe.workspaceID, on: tx)
                // Under the lock: a refresh or an edit that committed meanwhile wins.
                // Counting the use is the transaction's first write, which on
                // SQLite takes the database's write lock (the workspace lock there).
                guard let (link, plan) = try await countUse(of: token, on: tx),
                    InviteLinkRules.isActive(link.schedule, uses: link.uses - 1, maxUses: link.maxUses, at: env.clock.now)
                else { throw Self.inactiveLink }
                if link.requireApproval {
                    if try await MembershipModel.first(where: ["workspace_id": link.workspaceID, "user_id": identity.userID], on: tx) != nil {
                        throw AlreadyMember()
                    }
                    return .awaitingApproval(try await requestApproval(link, identity: identity, actor: actor, on: tx))
                }
                if Seats.countsAsSeat(role: .client, permissions: link.permissions) {
                    try await seats.requireRoom(for: 1, in: link.workspaceID, plan: plan, on: tx)
                }
                // An existing member is left as they are: nothing inserted, and the
                // counted use and everything else rolled back.
                guard let (member, grants) = try await addClient(
                    userID: identity.userID, workspaceID: link.workspaceID, permissions: link.permissions,
                    platforms: link.allowedPlatforms, accounts: link.accountIDs, on: tx)
                else { throw AlreadyMember() }
                try await audit.record(
                    AuditEntry(
                        workspaceID: link.workspaceID, action: "link.joined", targetType: "member", targetID: member.id!.apiString,
                        targetLabel: identity.email,
                        after: ["permissions": link.permissionsText, "token": SecureToken.fingerprint(token)]),
                    by: actor, on: tx)
                return .joined(member, grants: grants)
            }
            switch decided {
            case .joined(let member, let grants):
                // Everything the view shows is at hand: no reads after the commit.
                return .joined(
                    MemberView(
                        id: member.id!, userID: identity.userID, email: identity.email, name: identity.name, role: member.role,
                        permissions: member.permissions, allowedPlatforms: member.allowedPlatforms, accountIDs: grants,
                        countsAsSeat: member.countsAsSeat, joinedVia: member.joinedVia, joinedAt: member.joinedAt))
            case .awaitingApproval(let requestID): return .awaitingApproval(requestID: requestID)
            }
        } catch is AlreadyMember {
            guard let existing = try await MembershipModel.first(where: ["workspace_id": probe.workspaceID, "user_id": identity.userID], on: db) else {
                throw DomainError.conflict("Your membership changed while joining; try again.")
            }
            return .alreadyMember(try await MemberService(env: env).view(of: existing, on: db))
        } catch DomainError.seatLimitReached {
            try await audit.record(
                AuditEntry(
                    workspaceID: probe.workspaceID, action: "link.join_refused", targetType: "user", targetID: identity.userID.apiString,
                    targetLabel: identity.email, after: ["reason": "seat_limit_reached", "token": SecureToken.fingerprint(token)]),
                by: actor, on: db)
            throw DomainError.seatLimitReached(
                "This workspace has no free seat for a client who can publish. Contact the workspace owner.")
        }
    }

    /// A join through a link that exists but is disabled, used up or refreshed is
    /// recorded in that workspace's audit log (with the token's fingerprint).
    private func auditRefusedJoin(workspaceID: UUID, token: String, identity: Identity, actor: Actor, on db: any Database) async throws {
        try await audit.record(
            AuditEntry(
                workspaceID: workspaceID, action: "link.join_refused", targetType: "user", targetID: identity.userID.apiString,
                targetLabel: identity.email, after: ["reason": "link_inactive", "token": SecureToken.fingerprint(token)]),
            by: actor, on: db)
    }

    /// The joiner already belongs to the workspace: the join changes nothing.
    private struct AlreadyMember: Error {}

    /// Counts one use of the live link behind `token` and returns it as it now
    /// is, with its workspace's plan: one statement. Nil when no live link has
    /// the token (refreshed or deleted meanwhile).
    private func countUse(of token: String, on tx: any Database) async throws -> (InviteLinkModel, plan: String)? {
        let sql = tx as! any SQLDatabase
        guard let row = try await sql.raw(
            """
            UPDATE \(ident: InviteLinkModel.schema) SET uses = uses + 1 WHERE token_hash = \(bind: SecureToken.hash(token))
            RETURNING *, (SELECT plan FROM \(ident: WorkspaceModel.schema) w WHERE w.id = workspace_id) AS workspace_plan
            """
        ).first() else { return nil }
        return (try row.decode(fluentModel: InviteLinkModel.self), try row.decode(column: "workspace_plan", as: String.self))
    }

    /// Creates a client membership with its account grants (accounts removed
    /// since the configuration was copied are skipped). Nil, and nothing
    /// written, when the person is a member already.
    func addClient(
        userID: UUID, workspaceID: UUID, permissions: Set<ClientPermission>, platforms: Set<Platform>, accounts: [UUID],
        on tx: any Database
    ) async throws -> (MembershipModel, grants: [UUID])? {
        let member = MembershipModel(
            id: UUID(), workspaceID: workspaceID, userID: userID, role: .client, permissions: permissions, allowedPlatforms: platforms,
            joinedVia: "link", joinedAt: env.clock.now)
        guard try await member.insertUnlessMember(on: tx) else { return nil }
        let existing = accounts.isEmpty ? [] : try await SocialAccountModel.query(on: tx)
            .filter(\.$workspaceID == workspaceID).filter(\.$id ~~ accounts).all(\.$id)
        try await AccessGrants.addGrants(of: member, to: existing, on: tx)
        return (member, existing)
    }

    private func requestApproval(_ link: InviteLinkModel, identity: Identity, actor: Actor, on tx: any Database) async throws -> String {
        if let pending = try await JoinRequestModel.query(on: tx)
            .filter(\.$workspaceID == link.workspaceID).filter(\.$userID == identity.userID).filter(\.$state == "pending").first()
        {
            return pending.id!.apiString
        }
        let request = JoinRequestModel()
        request.workspaceID = link.workspaceID
        request.userID = identity.userID
        request.permissionsText = link.permissionsText
        request.allowedPlatformsText = link.allowedPlatformsText
        request.accountIDsText = link.accountIDsText
        request.state = "pending"
        request.createdAt = env.clock.now
        try await request.create(on: tx)
        try await audit.record(
            AuditEntry(
                workspaceID: link.workspaceID, action: "link.join_requested", targetType: "join_request",
                targetID: request.id!.apiString, targetLabel: identity.email, after: ["permissions": link.permissionsText]),
            by: actor, on: tx)
        try await notifyApprovers(of: identity, in: link.workspaceID, on: tx)
        return request.id!.apiString
    }

    /// Owners and admins hear that someone waits for their approval.
    private func notifyApprovers(of identity: Identity, in workspaceID: UUID, on tx: any Database) async throws {
        let approvers = try await MembershipModel.query(on: tx)
            .join(UserModel.self, on: \MembershipModel.$userID == \UserModel.$id)
            .filter(\.$workspaceID == workspaceID).filter(\.$roleText ~~ [Role.owner.rawValue, Role.admin.rawValue]).all()
        let workspaceName = try await WorkspaceModel.find(workspaceID, on: tx)?.name ?? "your workspace"
        try await Outbox(env: env).enqueue(
            try approvers.map { row in
                CrewMails.joinRequest(
                    joinerName: identity.name, joinerEmail: identity.email, workspaceName: workspaceName, workspaceID: workspaceID,
                    to: try row.joined(UserModel.self).email, publicURL: env.publicURL)
            },
            on: tx)
    }
}
