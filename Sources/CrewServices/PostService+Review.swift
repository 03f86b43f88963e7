import CrewCore
import CrewStore
import FluentKit
import Foundation

/// Review of posts: approving, sending back with a comment, asking the
/// account's clients, and the conversation about a post. Every approval step
/// writes an audit event in its transaction.
extension PostService {
    /// Approves a post waiting for the caller's kind of approval: managers,
    /// admins and the owner in internal review, clients with `approve_posts` when
    /// it waits for a client. Nobody approves their own post.
    public func approve(_ access: WorkspaceAccess, postID: UUID, on db: any Database) async throws -> PostView {
        try await review(access, postID, on: db) { post, before, tx in
            let next = try PostWorkflow.approve(
                actor: access.facts, isAuthor: post.authorUserID == access.userID, status: before,
                clientApproverExists: try await clientApproverExists(account: post.accountID, except: post.authorUserID, on: tx))
            if before == .awaitingClient {
                post.clientApprovedByUserID = access.userID
                post.clientApprovedAt = env.clock.now
            } else {
                post.approvedByUserID = access.userID
                post.approvedAt = env.clock.now
            }
            post.status = next
            return before == .awaitingClient ? "post.client_approved" : "post.approved"
        }
    }

    /// Sends a post back to its author with a comment (`needs_changes`).
    /// `internal` keeps the comment from clients (team members only).
    public func reject(_ access: WorkspaceAccess, postID: UUID, comment: String, internal isInternal: Bool, on db: any Database) async throws -> PostView {
        let text = try Self.commentText(comment)
        return try await review(access, postID, on: db) { post, before, tx in
            if isInternal && access.role == .client { throw DomainError.invalid("internal", "clients cannot write internal notes") }
            try PostWorkflow.reject(actor: access.facts, isAuthor: post.authorUserID == access.userID, status: before)
            post.status = .needsChanges
            try await addComment(to: post, text: text, internal: isInternal, kind: "changes_requested", access, on: tx)
            return "post.changes_requested"
        }
    }

    /// Sends a post to the clients who approve posts on its account.
    public func requestClientApproval(_ access: WorkspaceAccess, postID: UUID, on db: any Database) async throws -> PostView {
        try await review(access, postID, on: db) { post, before, tx in
            try PostWorkflow.requestClientApproval(actor: access.facts, isAuthor: post.authorUserID == access.userID, status: before)
            guard try await clientApproverExists(account: post.accountID, except: post.authorUserID, on: tx) else {
                throw DomainError.conflict("No client approves posts on this account; give a client the approve_posts permission and this account first.")
            }
            guard let at = post.scheduledAt, at > env.clock.now else { throw DomainError.invalid("scheduledAt", "must be in the future") }
            if before == .pendingApproval {
                // Sending it on is the agency's approval.
                post.approvedByUserID = access.userID
                post.approvedAt = env.clock.now
            }
            post.clientApprovedByUserID = nil
            post.clientApprovedAt = nil
            post.status = .awaitingClient
            return "post.sent_to_client"
        }
    }

    /// One review step: under the workspace lock (two reviewers pressing a
    /// button together: the second sees the first one's result), `change`
    /// checks and changes the post as read in the transaction and names the
    /// audit action; the post is saved and the event recorded in the same transaction.
    private func review(
        _ access: WorkspaceAccess, _ postID: UUID, on db: any Database,
        _ change: @escaping @Sendable (PostModel, PostStatus, any Database) async throws -> String
    ) async throws -> PostView {
        _ = try await visiblePost(access, postID, on: db)
        let post = try await db.workspaceTransaction(access.workspaceID) { tx in
            guard let current = try await PostModel.find(postID, on: tx) else { throw DomainError.notFound("No such post.") }
            let before = current.status
            let action = try await change(current, before, tx)
            current.updatedAt = env.clock.now
            current.syncSchedule()
            try await current.update(on: tx)
            try await record(action, current, from: before, access, on: tx)
            return current
        }
        return try await views(of: [post], for: access, on: db)[0]
    }

    // MARK: Comments

    /// The post's comments, oldest first; clients never receive internal notes.
    public func comments(_ access: WorkspaceAccess, postID: UUID, on db: any Database) async throws -> [PostCommentView] {
        let post = try await visiblePost(access, postID, on: db)
        var query = PostCommentModel.query(on: db).filter(\.$postID == post.id!)
        if access.role == .client { query = query.filter(\.$isInternal == false) }
        let rows = try await query.sort(\.$createdAt).sort(\.$id).all()
        // The name kept with a comment is shown only to those who may see its author.
        let people = try await PeopleInSight.of(access, on: db).people(rows.map(\.authorUserID), on: db)
        return rows.map { row in
            var view = PostCommentView(row)
            if let person = people[row.authorUserID], person.userId == nil { view.author = person }
            return view
        }
    }

    public func comment(_ access: WorkspaceAccess, postID: UUID, text: String, internal isInternal: Bool, on db: any Database) async throws -> PostCommentView {
        let text = try Self.commentText(text)
        let post = try await visiblePost(access, postID, on: db)
        try access.require(.commentOnPosts, accountAssigned: true)
        if isInternal && access.role == .client { throw DomainError.invalid("internal", "clients cannot write internal notes") }
        return PostCommentView(try await addComment(to: post, text: text, internal: isInternal, kind: "comment", access, on: db))
    }

    static func commentText(_ text: String) throws(DomainError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid("comment", "must not be empty") }
        guard trimmed.count <= 2_000 else { throw .invalid("comment", "must be at most 2000 characters") }
        return trimmed
    }

    @discardableResult
    private func addComment(
        to post: PostModel, text: String, internal isInternal: Bool, kind: String, _ access: WorkspaceAccess, on db: any Database
    ) async throws -> PostCommentModel {
        let row = PostCommentModel()
        row.workspaceID = access.workspaceID
        row.postID = post.id!
        row.authorUserID = access.userID
        row.authorName = access.actor.name
        row.text = text
        row.isInternal = isInternal
        row.kind = kind
        row.createdAt = env.clock.now
        try await row.create(on: db)
        return row
    }

    private func record(_ action: String, _ post: PostModel, from before: PostStatus, _ access: WorkspaceAccess, on db: any Database) async throws {
        try await audit.record(
            AuditEntry(
                workspaceID: access.workspaceID, action: action, targetType: "post", targetID: post.id!.apiString,
                targetLabel: String(post.text.prefix(60)), before: ["status": before.rawValue], after: ["status": post.statusText]),
            by: access.actor, on: db)
    }
}
