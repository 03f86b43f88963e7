/// Where a post is in its life (DESIGN §5):
/// draft → pending_approval → (awaiting_client) → scheduled → published | failed,
/// plus needs_changes (sent back with a comment) and expired (its time came
/// while approval was still missing and the workspace holds such posts).
public enum PostStatus: String, CaseIterable, Sendable, Codable {
    case draft
    case pendingApproval = "pending_approval"
    case awaitingClient = "awaiting_client"
    case needsChanges = "needs_changes"
    case scheduled
    case published
    case failed
    case expired

    /// Whether the post's content may still change. Published posts are history.
    public var isEditable: Bool { self != .published }

    /// Whether a post waits for somebody's approval.
    public var awaitsApproval: Bool { self == .pendingApproval || self == .awaitingClient }

    /// States a client sees on their accounts besides their own posts: what the
    /// agency shares with them. Drafts and internal review stay internal.
    public static let sharedWithClients: Set<PostStatus> = [.awaitingClient, .scheduled, .published, .failed, .expired]

    public static let listHint = allCases.map(\.rawValue).joined(separator: ", ")
}

/// What happens to a post whose scheduled time comes while it still waits for
/// approval (a workspace setting).
public enum UnapprovedPostPolicy: String, CaseIterable, Sendable, Codable {
    /// Do not publish; the post becomes `expired` until someone reschedules it.
    case hold
    /// Publish anyway.
    case publish
}
