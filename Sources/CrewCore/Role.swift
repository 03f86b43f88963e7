/// A member's role in a workspace, from the most to the least powerful.
///
/// The client role is a separate track: a client is never converted into a team
/// role and a team member is never converted into a client.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case owner
    case admin
    case manager
    case editor
    case client

    /// Higher rank means more power; used by the escalation rules.
    public var rank: Int {
        switch self {
        case .owner: 4
        case .admin: 3
        case .manager: 2
        case .editor: 1
        case .client: 0
        }
    }

    /// Team roles occupy a seat; clients only when they may publish.
    public var isTeamRole: Bool { self != .client }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
