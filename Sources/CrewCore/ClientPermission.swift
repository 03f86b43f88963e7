/// A separately granted capability of a client member.
public enum ClientPermission: String, Codable, Sendable, CaseIterable, Comparable {
    /// Create, edit and schedule posts. Makes the client count as a seat.
    case publishPosts = "publish_posts"
    case viewAnalytics = "view_analytics"
    case manageInbox = "manage_inbox"
    /// Posts on the client's accounts need the client's approval before publishing.
    case approvePosts = "approve_posts"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a list of permission names, reporting every unknown one.
    /// - Parameters:
    ///   - names: the strings sent by a client.
    ///   - field: the request field the names came from, for the error.
    public static func parseList(_ names: [String], field: String) throws(DomainError) -> Set<ClientPermission> {
        try parseEnumList(names, field: field, kind: "permission")
    }
}
