/// How much of another member a viewer sees.
public enum Sight: Sendable, Equatable, CaseIterable {
    /// Everything the members list shows (email, permissions, grants, seat).
    case full
    /// Only who they are in the team: name and role (what clients see of the team).
    case nameAndRole
    /// Not at all: the member does not exist for the viewer (404, redacted names).
    case hidden
}

/// Who sees whom (DESIGN.md §1): owner and admins see everyone; managers and
/// editors see the team and the clients of the accounts they work on; a client
/// sees themselves and the team members on their accounts (names and roles),
/// never another client: an agency's client list is confidential.
public enum PeopleRules {
    /// - Parameters:
    ///   - viewer: the viewer's role.
    ///   - isSelf: whether the member is the viewer.
    ///   - target: the member's role.
    ///   - sharesAccount: whether the member is granted a social account the
    ///     viewer is granted too.
    public static func sight(viewer: Role, isSelf: Bool, target: Role, sharesAccount: Bool) -> Sight {
        if isSelf { return .full }
        switch viewer {
        case .owner, .admin:
            return .full
        case .manager, .editor:
            return target.isTeamRole || sharesAccount ? .full : .hidden
        case .client:
            switch target {
            // Owner and admins work on every account without a grant.
            case .owner, .admin: return .nameAndRole
            case .manager, .editor: return sharesAccount ? .nameAndRole : .hidden
            case .client: return .hidden
            }
        }
    }

    /// Whether a viewer of this role sees every member fully (no lookups needed).
    public static func seesEveryone(_ viewer: Role) -> Bool {
        viewer == .owner || viewer == .admin
    }

    /// The roles a viewer sees without sharing an account with them (besides
    /// themselves), and the roles they see only when they share one.
    public static func reach(of viewer: Role) -> (always: [Role], whenSharing: [Role]) {
        switch viewer {
        case .owner, .admin: (Role.allCases, [])
        case .manager, .editor: ([.owner, .admin, .manager, .editor], [.client])
        case .client: ([.owner, .admin], [.manager, .editor])
        }
    }
}
