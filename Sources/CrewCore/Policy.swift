/// Everything a member can try to do. Each action is decided by `Policy.decide`.
public enum Action: String, CaseIterable, Sendable {
    // Workspace administration (not tied to a social account).
    case manageMembers = "manage_members"
    case invite
    case editInviteLink = "edit_invite_link"
    case readAuditLog = "read_audit_log"
    case changePlan = "change_plan"
    case transferOwnership = "transfer_ownership"
    case connectAccounts = "connect_accounts"
    // Actions on one social account's posts, inbox and analytics.
    case viewPosts = "view_posts"
    case commentOnPosts = "comment_on_posts"
    case createPosts = "create_posts"
    case publishPosts = "publish_posts"
    case approvePosts = "approve_posts"
    case viewAnalytics = "view_analytics"
    case readInbox = "read_inbox"
    case replyInbox = "reply_inbox"
    case removeAccounts = "remove_accounts"

    /// Whether the action is about one social account (and so needs a grant to it).
    public var concernsAccount: Bool {
        switch self {
        case .manageMembers, .invite, .editInviteLink, .readAuditLog, .changePlan, .transferOwnership, .connectAccounts:
            false
        default:
            true
        }
    }
}

/// What the policy needs to know about the acting member.
public struct MemberFacts: Sendable, Equatable {
    public var role: Role
    public var permissions: Set<ClientPermission>
    /// Platforms a client may connect accounts from (empty: none).
    public var allowedPlatforms: Set<Platform>

    public init(role: Role, permissions: Set<ClientPermission> = [], allowedPlatforms: Set<Platform> = []) {
        self.role = role
        self.permissions = permissions
        self.allowedPlatforms = allowedPlatforms
    }
}

/// The answer of the policy: allowed, or the error to refuse with.
public enum Decision: Sendable, Equatable {
    case allow
    case deny(DomainError)

    public var isAllowed: Bool { self == .allow }
}

/// Who may do what: one pure function of the acting member, the action and
/// whether the account involved is assigned to them. Deny by default.
public enum Policy {
    /// - Parameters:
    ///   - member: the acting member.
    ///   - action: what they try to do.
    ///   - accountAssigned: for account actions, whether the account is granted to
    ///     the member (owner and admins see every account regardless).
    public static func decide(_ member: MemberFacts, _ action: Action, accountAssigned: Bool = false) -> Decision {
        switch member.role {
        case .owner:
            return .allow
        case .admin:
            return action == .changePlan || action == .transferOwnership ? .deny(.forbidden("Only the owner can do this.")) : .allow
        case .manager, .editor, .client:
            if action.concernsAccount && !accountAssigned {
                // Accounts a member is not assigned to do not exist for them.
                return .deny(.notFound("No such social account."))
            }
            return decideOnAssigned(member, action)
        }
    }

    private static func decideOnAssigned(_ member: MemberFacts, _ action: Action) -> Decision {
        let allowed: Bool
        switch (member.role, action) {
        case (.manager, .viewPosts), (.manager, .commentOnPosts), (.manager, .createPosts), (.manager, .publishPosts),
            (.manager, .approvePosts), (.manager, .viewAnalytics), (.manager, .readInbox), (.manager, .replyInbox),
            (.manager, .connectAccounts), (.manager, .removeAccounts):
            allowed = true
        case (.editor, .viewPosts), (.editor, .commentOnPosts), (.editor, .createPosts):
            allowed = true
        case (.editor, .viewAnalytics):
            allowed = member.permissions.contains(.viewAnalytics)
        case (.editor, .readInbox), (.editor, .replyInbox):
            allowed = member.permissions.contains(.manageInbox)
        case (.client, .viewPosts), (.client, .commentOnPosts):
            allowed = true
        case (.client, .createPosts), (.client, .publishPosts):
            allowed = member.permissions.contains(.publishPosts)
        case (.client, .approvePosts):
            allowed = member.permissions.contains(.approvePosts)
        case (.client, .viewAnalytics):
            allowed = member.permissions.contains(.viewAnalytics)
        case (.client, .readInbox), (.client, .replyInbox):
            allowed = member.permissions.contains(.manageInbox)
        case (.client, .connectAccounts):
            allowed = !member.allowedPlatforms.isEmpty
        case (.client, .removeAccounts):
            return .deny(.clientsCannotRemoveAccounts())
        default:
            allowed = false
        }
        return allowed ? .allow : .deny(.forbidden("Your role does not allow this."))
    }

    /// Throws the refusal, for use cases.
    public static func require(_ member: MemberFacts, _ action: Action, accountAssigned: Bool = false) throws(DomainError) {
        if case .deny(let error) = decide(member, action, accountAssigned: accountAssigned) { throw error }
    }
}
