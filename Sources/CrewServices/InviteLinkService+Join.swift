import CrewCore
import CrewStore
import Foundation

extension InviteLinkService {
    /// A live link as a preview or a join reads it, with its workspace.
    struct ProbedLink: PreparedRow {
        let link: InviteLinkModel
        let workspaceName: String
        let plan: String
        /// This client's misses in the current minute.
        let recentMisses: Int

        /// A row of `LinkByToken`.
        init(reading columns: inout ColumnReader) throws {
            link = try InviteLinkModel(reading: &columns)
            workspaceName = try columns.next("workspace_name")
            plan = try columns.next("workspace_plan")
            recentMisses = try columns.next("recent_misses", as: Int?.self) ?? 0
        }
    }

    /// Counts a wrong or inactive token against the client's IP and answers with
    /// `error`. The answer never says which wrong tokens are close to right ones.
    private func miss(_ error: DomainError, ip: String?, on db: any Database) async throws -> Never {
        try await limiter.hit(Self.missBucket(ip), window: 60, on: db)
        throw error
    }

    private static func missBucket(_ ip: String?) -> String { "link-miss:\(ip ?? "unknown")" }

    static let unknownLink = DomainError.notFound("This invite link does not exist. Ask the workspace for a new one.")
    static let inactiveLink = DomainError.linkInactive("This invite link is not active right now. Ask the workspace owner for a new link.")

    /// The active link behind a token, or the refusal: 429 when this client
    /// missed too often lately, 404/410 (counted as a miss) for a wrong or
    /// inactive token. A live token takes one statement: the link, its
    /// workspace and the client's recent misses (a preview or a join is
    /// mostly this, so statements here are most of its cost).
    /// - Parameter refusedInWorkspace: called first when the link exists but is
    ///   disabled, used up or refreshed, with its workspace (to audit a refused join).
    private func activeLink(
        _ token: String, ip: String?, on db: any Database,
        refusedInWorkspace: ((UUID) async throws -> Void)? = nil
    ) async throws -> ProbedLink {
        let hash = SecureToken.hash(token)
        guard SecureToken.isWellFormed(token), let probed = try await db.first(
            LinkByToken(tokenHash: hash, missBucket: Self.missBucket(ip), windowStart: limiter.windowStart(60)), as: ProbedLink.self
        ) else {
            try await limiter.check(Self.missBucket(ip), limit: Self.missLimit, window: 60, on: db)
            if SecureToken.isWellFormed(token), let retired = try await RetiredLinkTokenModel.first(where: ["token_hash": hash], on: db) {
                // A token a refresh replaced: the link is gone for good (410).
                try await refusedInWorkspace?(retired.workspaceID)
                try await miss(Self.inactiveLink, ip: ip, on: db)
            }
            try await miss(Self.unknownLink, ip: ip, on: db)
        }
        try limiter.require(count: probed.recentMisses, below: Self.missLimit, window: 60)
        let link = probed.link
        guard InviteLinkRules.isActive(link.schedule, uses: link.uses, maxUses: link.maxUses, at: env.clock.now) else {
            try await refusedInWorkspace?(link.workspaceID)
            try await miss(Self.inactiveLink, ip: ip, on: db)
        }
        return probed
    }

    /// A link by its token's hash, with its workspace's name and plan and the
    /// recent misses of the client asking.
    private struct LinkByToken: PreparedStatement {
        static let readsInline = true
        static let sql = """
            SELECT \(InviteLinkModel.columns(as: "l")), w.name AS workspace_name, w.plan AS workspace_plan,
            \(RateLimiter.countSQL(bucket: "$2", windowStart: "$3")) AS recent_misses
            FROM \(InviteLinkModel.schema) l JOIN \(WorkspaceModel.schema) w ON w.id = l.workspace_id
            WHERE l.token_hash = $1
            """
        let tokenHash: String
        let missBucket: String
        let windowStart: Date
        var values: [any PreparedValue] { [tokenHash, missBucket, windowStart] }
    }

    /// What the joiner will get (no sign-in needed).
    public func preview(token: String, ip: String?, on db: any Database) async throws -> JoinPreview {
        let probed = try await activeLink(token, ip: ip, on: db)
        let link = probed.link
        return JoinPreview(
            workspace: .init(name: probed.workspaceName), permissions: link.permissions.sorted(),
            allowedPlatforms: link.allowedPlatforms.sorted(), requireApproval: link.requireApproval)
    }

    /// Joins the signed-in person as a client with a copy of the link's
    /// configuration. Existing members are left as they are.
    public func join(token: String, identity: Identity, ip: String?, on db: any Database) async throws -> JoinOutcome {
        let actor = Actor(userID: identity.userID, name: identity.name, ip: ip)
        let joiner = Joiner(token: token, identity: identity, actor: actor)
        var attempts = 0
        while true {
            let probed = try await activeLink(token, ip: ip, on: db) { workspaceID in
                try await auditRefusedJoin(workspaceID: workspaceID, token: token, identity: identity, actor: actor, on: db)
            }
            let probe = probed.link
            do {
                if probe.requireApproval {
                    return .awaitingApproval(requestID: try await askApproval(joiner, probe: probe, on: db))
                }
                return .joined(try await admit(joiner, probe: probe, plan: probed.plan, on: db))
            } catch is LinkChanged where attempts < 3 {
                // The link was edited, or the plan changed, between reading and
                // locking: start again from what is there now.
                attempts += 1
            } catch is LinkChanged {
                throw DomainError.conflict("The invite link keeps changing; try again in a moment.")
            } catch is AlreadyMember {
                guard let existing = try await MembershipModel.of(identity.userID, in: probe.workspaceID, on: db) else {
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
    }

    /// Who joins with which token.
    struct Joiner: Sendable {
        let token: String
        let identity: Identity
        let actor: Actor
    }

    /// The joiner already belongs to the workspace: the join changes nothing.
    private struct AlreadyMember: Error {}

    /// The link or the plan is not what the join was prepared for.
    private struct LinkChanged: Error {}

    /// Adds the joiner with the configuration of `probe`, the link as read
    /// before the transaction. The workspace stays locked, and the link row
    /// (whose use count every join raises) stays locked, for as few statements
    /// as the rules allow: each costs a round trip while other joins wait.
    ///
    /// A join that takes no seat, or joins a plan without a seat limit, shares
    /// the workspace lock with other such joins (PostgreSQL `FOR SHARE`: a plan
    /// change still waits for them); only joins that must count seats take it
    /// alone. The use is counted last, and only if the link is still exactly
    /// the one read (its `updated_at`), so the membership copies what the link
    /// says at the commit. On SQLite this process's writers take turns anyway.
    private func admit(_ joiner: Joiner, probe: InviteLinkModel, plan probedPlan: String, on db: any Database) async throws -> MemberView {
        let takesSeat = Seats.countsAsSeat(role: .client, permissions: probe.permissions)
        let exclusive = takesSeat && seats.plan(named: probedPlan).seatLimit != nil
        if !exclusive, let member = try await admitInOneStatement(joiner, probe: probe, plan: probedPlan, on: db) { return member }
        let identity = joiner.identity
        let (member, grants) = try await db.lockingTransaction { tx -> (MembershipModel, [UUID]) in
            let member = newClient(
                userID: identity.userID, workspaceID: probe.workspaceID, permissions: probe.permissions, platforms: probe.allowedPlatforms,
                accessDays: probe.accessDays)
            let event = joinedEvent(member, joiner: joiner, probe: probe)
            // An existing member is left as they are: nothing inserted, and
            // everything else rolled back.
            if !exclusive, tx.isPostgres {
                // No seat to count: the shared lock, the membership and its audit
                // event in one statement.
                let written = try await tx.first(
                    AdmitSharingLock(values: try member.insertValues + audit.values(of: event, by: joiner.actor)))
                let inserted = member.markSaved(try written?.decode(column: "inserted", as: Int.self) == 1)
                let plan = try written?.decode(column: "plan", as: String?.self)
                if takesSeat, seats.plan(named: plan ?? "").seatLimit != nil { throw LinkChanged() }
                guard inserted else { throw AlreadyMember() }
            } else {
                let plan = try await WorkspaceLock.lockPlan(probe.workspaceID, exclusive: exclusive, on: tx)
                if takesSeat {
                    guard (seats.plan(named: plan ?? "").seatLimit != nil) == exclusive else { throw LinkChanged() }
                    try await seats.requireRoom(for: 1, in: probe.workspaceID, plan: plan ?? "", on: tx)
                }
                guard try await member.insertUnlessMember(on: tx) else { throw AlreadyMember() }
                try await audit.record(event, by: joiner.actor, on: tx)
            }
            let grants = try await grant(probe.accountIDs, to: member, on: tx)
            try await countUse(of: joiner.token, expecting: probe, on: tx)
            return (member, grants)
        }
        return joinedView(member, identity: identity, grants: grants)
    }

    /// The audit event of `member` joining through the link.
    func joinedEvent(_ member: MembershipModel, joiner: Joiner, probe: InviteLinkModel) -> AuditEntry {
        AuditEntry(
            workspaceID: probe.workspaceID, action: "link.joined", targetType: "member", targetID: member.id!.apiString,
            targetLabel: joiner.identity.email, after: ["permissions": probe.permissionsText, "token": SecureToken.fingerprint(joiner.token)])
    }

    /// The new member as the join answers: everything the view shows is at
    /// hand, so nothing is read after the commit.
    func joinedView(_ member: MembershipModel, identity: Identity, grants: [UUID]) -> MemberView {
        MemberView(
            id: member.id!, userID: identity.userID, email: identity.email, name: identity.name, role: member.role,
            permissions: member.permissions, allowedPlatforms: member.allowedPlatforms, accountIDs: grants,
            countsAsSeat: member.countsAsSeat, joinedVia: member.joinedVia, joinedAt: member.joinedAt, accessUntil: member.accessUntil)
    }

    /// PostgreSQL only: in one statement, locks the workspace row `FOR SHARE`,
    /// inserts the membership ($1–$10, `MembershipModel.insertValues`) unless the
    /// person already belongs there, and, if it was written, its audit event
    /// ($11–$23, `AuditLog.values`). Answers the plan and whether the membership
    /// was written: one statement instead of three in a transaction other
    /// joins wait on.
    private struct AdmitSharingLock: PreparedStatement {
        static let sql = """
            WITH locked AS (SELECT plan FROM \(WorkspaceModel.schema) WHERE id = $2 FOR SHARE),
            inserted AS (
                INSERT INTO \(MembershipModel.schema) (\(MembershipModel.insertColumns)) SELECT \(placeholders(1...10)) FROM locked
                ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING id),
            also AS (INSERT INTO \(AuditEventModel.schema) (\(AuditLog.columns)) SELECT \(placeholders(11...23)) FROM inserted)
            SELECT (SELECT plan FROM locked) AS plan, (SELECT COUNT(*) FROM inserted) AS inserted
            """
        let values: [any PreparedValue]
    }

    /// A link that needs approval records a request instead (the rare path:
    /// the workspace locked alone, the use counted first).
    private func askApproval(_ joiner: Joiner, probe: InviteLinkModel, on db: any Database) async throws -> String {
        let identity = joiner.identity
        return try await db.lockingTransaction { tx in
            _ = try await WorkspaceLock.lockPlan(probe.workspaceID, exclusive: true, on: tx)
            let link = try await countUse(of: joiner.token, expecting: probe, on: tx)
            guard link.requireApproval else { throw LinkChanged() }
            if try await MembershipModel.of(identity.userID, in: link.workspaceID, on: tx) != nil {
                throw AlreadyMember()
            }
            return try await requestApproval(link, identity: identity, actor: joiner.actor, on: tx)
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

    /// Counts one use of the link behind `token`, which must still be the link
    /// `expected` (not refreshed, edited or disabled since) and active with the
    /// use counted; otherwise nothing is kept (`LinkChanged`, or 410 when the
    /// link is no longer live).
    @discardableResult
    private func countUse(of token: String, expecting expected: InviteLinkModel, on tx: any Database) async throws -> InviteLinkModel {
        guard let link = try await tx.first(CountUse(tokenHash: SecureToken.hash(token)), as: InviteLinkModel.self)
        else { throw Self.inactiveLink }
        guard link.id == expected.id, link.updatedAt == expected.updatedAt else { throw LinkChanged() }
        guard InviteLinkRules.isActive(link.schedule, uses: link.uses - 1, maxUses: link.maxUses, at: env.clock.now) else {
            throw Self.inactiveLink
        }
        return link
    }

    private struct CountUse: PreparedStatement {
        static let sql = "UPDATE \(InviteLinkModel.schema) SET uses = uses + 1 WHERE token_hash = $1 RETURNING \(InviteLinkModel.columns())"
        let tokenHash: String
        var values: [any PreparedValue] { [tokenHash] }
    }

    /// A client membership with a copy of a configuration, not yet saved.
    /// - Parameter accessDays: the link's days of access (nil: no end).
    func newClient(
        userID: UUID, workspaceID: UUID, permissions: Set<ClientPermission>, platforms: Set<Platform>, accessDays: Int?
    ) -> MembershipModel {
        let now = env.clock.now
        return MembershipModel(
            id: UUID(), workspaceID: workspaceID, userID: userID, role: .client, permissions: permissions, allowedPlatforms: platforms,
            joinedVia: "link", joinedAt: now, accessUntil: AccessExpiry.end(joinedAt: now, linkDays: accessDays))
    }

    /// Grants the member those of `accounts` that still exist in the workspace
    /// (accounts removed since the configuration was copied are skipped).
    func grant(_ accounts: [UUID], to member: MembershipModel, on tx: any Database) async throws -> [UUID] {
        let existing = accounts.isEmpty ? [] : try await SocialAccountModel.query(on: tx)
            .filter(\.$workspaceID == member.workspaceID).filter(\.$id ~~ accounts).all(\.$id)
        try await AccessGrants.addGrants(of: member, to: existing, on: tx)
        return existing
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
