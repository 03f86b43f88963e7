/// The approval rules of posts as pure functions; the service supplies the facts
/// that need the database (is the caller the author, does the account have a
/// client who approves).
public enum PostWorkflow {
    /// The roles that approve posts in internal review.
    public static let reviewerRoles: Set<Role> = [.owner, .admin, .manager]

    /// Where a post goes when its author submits it.
    /// - Parameters:
    ///   - author: the submitting member.
    ///   - clientPostsNeedApproval: the workspace setting for posts by clients with `publish_posts`.
    ///   - clientApproverExists: a client other than the author approves posts on the account.
    public static func submissionTarget(author: MemberFacts, clientPostsNeedApproval: Bool, clientApproverExists: Bool) -> PostStatus {
        switch author.role {
        case .owner, .admin, .manager:
            return clientApproverExists ? .awaitingClient : .scheduled
        case .editor:
            return .pendingApproval
        case .client:
            if clientPostsNeedApproval { return .pendingApproval }
            return clientApproverExists ? .awaitingClient : .scheduled
        }
    }

    /// Checks an approval and returns the post's next status.
    /// - Parameters:
    ///   - actor: who approves; the policy has already said they see the account.
    ///   - isAuthor: the actor wrote the post.
    ///   - status: the post's status now.
    ///   - clientApproverExists: after internal approval the post waits for a client.
    public static func approve(
        actor: MemberFacts, isAuthor: Bool, status: PostStatus, clientApproverExists: Bool
    ) throws(DomainError) -> PostStatus {
        try Policy.require(actor, .approvePosts, accountAssigned: true)
        switch status {
        case .pendingApproval:
            guard reviewerRoles.contains(actor.role) else {
                throw .forbidden("This post waits for the agency's review; managers, admins and the owner approve it.")
            }
            guard !isAuthor else { throw .selfApproval() }
            return clientApproverExists ? .awaitingClient : .scheduled
        case .awaitingClient:
            guard actor.role == .client else { throw .forbidden("This post waits for the client's approval.") }
            guard !isAuthor else { throw .selfApproval() }
            return .scheduled
        default:
            throw .conflict("This post is not awaiting approval (it is \(status.rawValue)).")
        }
    }

    /// Checks sending a post back with a comment (`needs_changes`): whoever could approve it.
    public static func reject(actor: MemberFacts, isAuthor: Bool, status: PostStatus) throws(DomainError) {
        _ = try approve(actor: actor, isAuthor: isAuthor, status: status, clientApproverExists: false)
    }

    /// Checks sending a post to the account's clients for approval: a reviewer,
    /// on a post that is in review (not their own) or already approved.
    public static func requestClientApproval(actor: MemberFacts, isAuthor: Bool, status: PostStatus) throws(DomainError) {
        try Policy.require(actor, .approvePosts, accountAssigned: true)
        guard reviewerRoles.contains(actor.role) else { throw .forbidden("Only managers, admins and the owner send posts to clients.") }
        switch status {
        case .pendingApproval:
            guard !isAuthor else { throw .selfApproval() }
        case .scheduled, .draft, .needsChanges, .expired:
            break
        default:
            throw .conflict("A post that is \(status.rawValue) cannot be sent for client approval.")
        }
    }

    /// Checks an edit: the author edits their own posts; reviewers edit any post
    /// on their accounts. Published posts never change.
    public static func edit(actor: MemberFacts, isAuthor: Bool, status: PostStatus) throws(DomainError) {
        try Policy.require(actor, .createPosts, accountAssigned: true)
        guard isAuthor || reviewerRoles.contains(actor.role) else { throw .forbidden("Only the author or a manager edits this post.") }
        guard status.isEditable else { throw .conflict("A published post cannot be edited.") }
    }

    /// The status after an edit: content that was approved or in review goes
    /// through review again as if submitted now; drafts stay drafts; a failed
    /// or expired post becomes a draft to be resubmitted.
    public static func statusAfterEdit(
        _ status: PostStatus, editor: MemberFacts, clientPostsNeedApproval: Bool, clientApproverExists: Bool
    ) -> PostStatus {
        switch status {
        case .draft, .needsChanges:
            return status
        case .failed, .expired:
            return .draft
        case .pendingApproval, .awaitingClient, .scheduled:
            return submissionTarget(author: editor, clientPostsNeedApproval: clientPostsNeedApproval, clientApproverExists: clientApproverExists)
        case .published:
            return .published
        }
    }

    /// Whether a post may be submitted from its status.
    public static func checkSubmittable(_ status: PostStatus) throws(DomainError) {
        guard [.draft, .needsChanges, .failed, .expired].contains(status) else {
            throw .conflict("This post is already \(status.rawValue).")
        }
    }
}
