import CrewCore
import CrewStore
import FluentKit
import Foundation

/// Posts of a workspace (DESIGN §5): writing and scheduling them, and who sees
/// which. Review (approve, reject, client approval, comments) is in
/// `PostService+Review`, the list in `PostService+List`, publishing in `PostPublisher`.
public struct PostService: Sendable {
    let env: CrewEnvironment
    let audit: AuditLog

    /// Accounts one create request may target.
    static let maxAccountsPerPost = 50

    public init(env: CrewEnvironment) {
        self.env = env
        self.audit = AuditLog(clock: env.clock)
    }

    // MARK: Writing

    /// Creates one post per account, as drafts or submitted (to review or the schedule).
    public func create(_ access: WorkspaceAccess, _ draft: PostDraft, on db: any Database) async throws -> [PostView] {
        let content = try PostContent(text: draft.text, link: draft.link, mediaURLs: draft.mediaUrls)
        let accountIDs = try parseAccountIDs(draft.accountIds)
        let zone = draft.timeZone ?? "UTC"
        let schedule = try draft.scheduledAt.map { at throws(DomainError) in try PostSchedule(at: at, timeZone: zone, now: env.clock.now) }
        if draft.scheduledAt == nil, TimeZone(identifier: zone) == nil {
            throw DomainError.invalid("timeZone", "must be an IANA time zone such as Europe/Berlin")
        }
        if draft.submit, schedule == nil { throw DomainError.invalid("scheduledAt", "is required to submit a post") }
        var found: [SocialAccountModel] = []
        for id in accountIDs {
            let account = try await visibleAccount(access, id, on: db)
            try access.require(.createPosts, accountAssigned: true)
            guard account.status != .disconnected else {
                throw DomainError.invalid("accountIds", "\(account.name) is disconnected; reconnect it before posting")
            }
            found.append(account)
        }
        let accounts = found
        let workspace = try await workspace(access, on: db)
        let now = env.clock.now
        let batch = UUID()
        let rows = try await db.writeTransaction { tx in
            var rows: [PostModel] = []
            for account in accounts {
                let post = PostModel()
                post.workspaceID = access.workspaceID
                post.accountID = account.id!
                post.batchID = batch
                post.authorUserID = access.userID
                post.text = content.text
                post.link = content.link
                post.mediaURLs = content.mediaURLs
                post.timeZone = schedule?.timeZone ?? zone
                post.scheduledAt = schedule?.at
                post.attempts = 0
                post.createdAt = now
                post.updatedAt = now
                post.status = .draft
                if draft.submit {
                    post.status = PostWorkflow.submissionTarget(
                        author: access.facts, clientPostsNeedApproval: workspace.clientPostsNeedApproval,
                        clientApproverExists: try await clientApproverExists(account: account.id!, except: access.userID, on: tx))
                }
                post.syncSchedule()
                try await post.create(on: tx)
                rows.append(post)
            }
            return rows
        }
        return try await views(of: rows, for: access, on: db)
    }

    /// Edits a post. Content that was in review or approved goes through review again.
    public func update(_ access: WorkspaceAccess, postID: UUID, _ patch: PostPatch, on db: any Database) async throws -> PostView {
        let post = try await visiblePost(access, postID, on: db)
        try PostWorkflow.edit(actor: access.facts, isAuthor: post.authorUserID == access.userID, status: post.status)
        let content = try PostContent(
            text: patch.text ?? post.text, link: patch.link ?? post.link, mediaURLs: patch.mediaUrls ?? post.mediaURLs)
        let zone = patch.timeZone ?? post.timeZone
        let at = try patch.scheduledAt.map { requested throws(DomainError) in try PostSchedule(at: requested, timeZone: zone, now: env.clock.now).at }
            ?? post.scheduledAt
        if patch.scheduledAt == nil, patch.timeZone != nil, TimeZone(identifier: zone) == nil {
            throw DomainError.invalid("timeZone", "must be an IANA time zone such as Europe/Berlin")
        }
        let workspace = try await workspace(access, on: db)
        try await db.writeTransaction { tx in
            // Moving an approved post in time keeps its approvals; changed content is reviewed again.
            let contentChanged = content.text != post.text || content.link != post.link || content.mediaURLs != post.mediaURLs
            let next = contentChanged
                ? PostWorkflow.statusAfterEdit(
                    post.status, editor: access.facts, clientPostsNeedApproval: workspace.clientPostsNeedApproval,
                    clientApproverExists: try await clientApproverExists(account: post.accountID, except: post.authorUserID, on: tx))
                : ([.failed, .expired].contains(post.status) ? .draft : post.status)
            if contentChanged && (next != post.status || next.awaitsApproval) {
                // Approvals were given to other content.
                post.approvedByUserID = nil
                post.approvedAt = nil
                post.clientApprovedByUserID = nil
                post.clientApprovedAt = nil
            }
            if let at, next == .scheduled || next.awaitsApproval, at <= env.clock.now {
                throw DomainError.invalid("scheduledAt", "must be in the future")
            }
            post.text = content.text
            post.link = content.link
            post.mediaURLs = content.mediaURLs
            post.timeZone = zone
            post.scheduledAt = at
            post.status = next
            post.failureDetail = next == .draft ? nil : post.failureDetail
            post.attempts = next == .draft ? 0 : post.attempts
            post.updatedAt = env.clock.now
            post.syncSchedule()
            try await post.update(on: tx)
        }
        return try await views(of: [post], for: access, on: db)[0]
    }

    /// Sends a draft (or a post sent back, failed or expired) to review or the schedule.
    public func submit(_ access: WorkspaceAccess, postID: UUID, on db: any Database) async throws -> PostView {
        let post = try await visiblePost(access, postID, on: db)
        try PostWorkflow.edit(actor: access.facts, isAuthor: post.authorUserID == access.userID, status: post.status)
        try PostWorkflow.checkSubmittable(post.status)
        guard let at = post.scheduledAt else { throw DomainError.invalid("scheduledAt", "is required to submit a post") }
        guard at > env.clock.now else { throw DomainError.invalid("scheduledAt", "must be in the future") }
        let workspace = try await workspace(access, on: db)
        try await db.writeTransaction { tx in
            post.status = PostWorkflow.submissionTarget(
                author: access.facts, clientPostsNeedApproval: workspace.clientPostsNeedApproval,
                clientApproverExists: try await clientApproverExists(account: post.accountID, except: post.authorUserID, on: tx))
            post.failureDetail = nil
            post.attempts = 0
            post.updatedAt = env.clock.now
            post.syncSchedule()
            try await post.update(on: tx)
        }
        return try await views(of: [post], for: access, on: db)[0]
    }

    public func get(_ access: WorkspaceAccess, postID: UUID, on db: any Database) async throws -> PostView {
        try await views(of: [try await visiblePost(access, postID, on: db)], for: access, on: db)[0]
    }

    // MARK: Settings

    public func settings(_ access: WorkspaceAccess, on db: any Database) async throws -> PostSettingsView {
        let workspace = try await workspace(access, on: db)
        return PostSettingsView(clientPostsNeedApproval: workspace.clientPostsNeedApproval, unapprovedPosts: workspace.unapprovedPostPolicy)
    }

    /// Changes the approval settings (owner and admins).
    public func updateSettings(
        _ access: WorkspaceAccess, clientPostsNeedApproval: Bool?, unapprovedPosts: String?, on db: any Database
    ) async throws -> PostSettingsView {
        try access.require(.manageMembers)
        let policy = try unapprovedPosts.map { text throws(DomainError) in
            guard let policy = UnapprovedPostPolicy(rawValue: text) else { throw .invalid("unapprovedPosts", "must be hold or publish") }
            return policy
        }
        try await db.workspaceTransaction(access.workspaceID) { tx in
            let workspace = try await self.workspace(access, on: tx)
            let before = ["clientPostsNeedApproval": "\(workspace.clientPostsNeedApproval)", "unapprovedPosts": workspace.unapprovedPostPolicy.rawValue]
            if let clientPostsNeedApproval { workspace.clientPostsNeedApprovalSetting = clientPostsNeedApproval }
            if let policy { workspace.unapprovedPostPolicyText = policy.rawValue }
            try await workspace.update(on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "workspace.post_settings_changed", targetType: "workspace",
                    targetID: access.workspaceID.apiString, targetLabel: workspace.name, before: before,
                    after: ["clientPostsNeedApproval": "\(workspace.clientPostsNeedApproval)", "unapprovedPosts": workspace.unapprovedPostPolicy.rawValue]),
                by: access.actor, on: tx)
        }
        return try await settings(access, on: db)
    }

    // MARK: Helpers

    func parseAccountIDs(_ texts: [String]) throws(DomainError) -> [UUID] {
        guard !texts.isEmpty else { throw .invalid("accountIds", "pick at least one account") }
        guard texts.count <= Self.maxAccountsPerPost else { throw .invalid("accountIds", "at most \(Self.maxAccountsPerPost) accounts per post") }
        var seen: [UUID] = []
        for text in texts {
            // An id that is not an id names no account the caller can see.
            guard let id = UUID(uuidString: text) else { throw .notFound("No such social account.") }
            if !seen.contains(id) { seen.append(id) }
        }
        return seen
    }

    func workspace(_ access: WorkspaceAccess, on db: any Database) async throws -> WorkspaceModel {
        guard let workspace = try await WorkspaceModel.find(access.workspaceID, on: db) else { throw DomainError.notFound("No such workspace.") }
        return workspace
    }

    /// The account when the caller is assigned to it (owner and admins: any in the workspace); 404 otherwise.
    func visibleAccount(_ access: WorkspaceAccess, _ accountID: UUID, on db: any Database) async throws -> SocialAccountModel {
        guard let account = try await SocialAccountModel.find(accountID, on: db), account.workspaceID == access.workspaceID,
            try await access.isAssigned(accountID, on: db)
        else { throw DomainError.notFound("No such social account.") }
        return account
    }

    /// The post when the caller may see it: on an account assigned to them, and
    /// for clients only posts shared with them or their own. 404 otherwise.
    func visiblePost(_ access: WorkspaceAccess, _ postID: UUID, on db: any Database) async throws -> PostModel {
        guard let post = try await PostModel.find(postID, on: db), post.workspaceID == access.workspaceID,
            try await access.isAssigned(post.accountID, on: db), access.mayView(post)
        else { throw DomainError.notFound("No such post.") }
        try access.require(.viewPosts, accountAssigned: true)
        return post
    }

    /// Whether a client other than `except` must approve posts on the account.
    func clientApproverExists(account: UUID, except: UUID, on db: any Database) async throws -> Bool {
        let grants = try await AccountGrantModel.query(on: db).filter(\.$accountID == account).all()
        guard !grants.isEmpty else { return false }
        let members = try await MembershipModel.query(on: db)
            .filter(\.$id ~~ grants.map(\.membershipID)).filter(\.$roleText == Role.client.rawValue).filter(\.$userID != except).all()
        return members.contains { $0.permissions.contains(.approvePosts) }
    }
}

extension PostModel {
    /// Keeps the list's sort key and the scheduler's next look in step with the status.
    func syncSchedule() {
        sortAt = scheduledAt ?? createdAt
        switch status {
        case .scheduled, .pendingApproval, .awaitingClient:
            nextAttemptAt = scheduledAt
        default:
            nextAttemptAt = nil
        }
    }
}

extension WorkspaceAccess {
    /// Whether the account is assigned to the caller (owner and admins: every account).
    func isAssigned(_ accountID: UUID, on db: any Database) async throws -> Bool {
        if seesEveryAccount { return true }
        return try await AccountGrantModel.query(on: db)
            .filter(\.$membershipID == membershipID).filter(\.$accountID == accountID).first() != nil
    }

    /// The accounts assigned to the caller; nil for owner and admins (all of them).
    func assignedAccountIDs(on db: any Database) async throws -> [UUID]? {
        if seesEveryAccount { return nil }
        return try await AccountGrantModel.query(on: db).filter(\.$membershipID == membershipID).all().map(\.accountID)
    }

    /// Clients see what the agency shares with them, and their own posts.
    func mayView(_ post: PostModel) -> Bool {
        role != .client || post.authorUserID == userID || PostStatus.sharedWithClients.contains(post.status)
    }
}
