/// Seat accounting of DESIGN §2: who occupies one of the plan's seats.
public enum Seats {
    /// Whether a member with this role and these client permissions takes a seat.
    /// The owner is never counted; clients only when they may publish.
    public static func countsAsSeat(role: Role, permissions: Set<ClientPermission>) -> Bool {
        switch role {
        case .owner: false
        case .admin, .manager, .editor: true
        case .client: permissions.contains(.publishPosts)
        }
    }
}

/// Seats or accounts in use against a limit (`nil` = unlimited).
public struct Usage: Codable, Sendable, Equatable {
    public var limit: Int?
    public var used: Int

    public init(limit: Int?, used: Int) {
        self.limit = limit
        self.used = used
    }

    /// Whether `additional` more would still fit.
    public func allows(adding additional: Int) -> Bool {
        guard let limit else { return true }
        return used + additional <= limit
    }

    // `limit` is encoded as an explicit null when unlimited, as API.md promises.
    enum CodingKeys: String, CodingKey { case limit, used }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(limit, forKey: .limit)
        try container.encode(used, forKey: .used)
    }
}
