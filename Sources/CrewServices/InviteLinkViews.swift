import CrewCore
import CrewStore
import Foundation

/// The client invite link as the API shows it (API.md).
public struct InviteLinkView: Codable, Sendable, Equatable {
    public var url: String
    public var status: LinkStatus
    public var statusUntil: Date?
    /// The effective state now.
    public var active: Bool
    public var permissions: [ClientPermission]
    public var allowedPlatforms: [Platform]
    public var accountIds: [String]
    public var maxUses: Int?
    public var uses: Int
    public var requireApproval: Bool
    /// Days of access each joiner gets; nil: access without end.
    public var accessDays: Int?
    public var updatedAt: Date
    /// Seats each joiner will take with these permissions (0 or 1).
    public var seatsPerJoiner: Int

    enum CodingKeys: String, CodingKey {
        case url, status, statusUntil, active, permissions, allowedPlatforms, accountIds, maxUses, uses, requireApproval, accessDays, updatedAt, seatsPerJoiner
    }

    // Optional fields are written as explicit nulls, as API.md shows them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(url, forKey: .url)
        try c.encode(status, forKey: .status)
        try c.encode(statusUntil, forKey: .statusUntil)
        try c.encode(active, forKey: .active)
        try c.encode(permissions, forKey: .permissions)
        try c.encode(allowedPlatforms, forKey: .allowedPlatforms)
        try c.encode(accountIds, forKey: .accountIds)
        try c.encode(maxUses, forKey: .maxUses)
        try c.encode(uses, forKey: .uses)
        try c.encode(requireApproval, forKey: .requireApproval)
        try c.encode(accessDays, forKey: .accessDays)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(seatsPerJoiner, forKey: .seatsPerJoiner)
    }
}

/// What `GET /join/{token}` tells a would-be joiner.
public struct JoinPreview: Encodable, Sendable, Equatable {
    public struct Workspace: Encodable, Sendable, Equatable { public var name: String }
    public var workspace: Workspace
    public var permissions: [ClientPermission]
    public var allowedPlatforms: [Platform]
    public var requireApproval: Bool
}

/// The outcome of a join through the link.
public enum JoinOutcome: Sendable {
    case joined(MemberView)
    case alreadyMember(MemberView)
    case awaitingApproval(requestID: String)
}

/// A change to the link; absent fields stay. `statusUntil`, `maxUses` and
/// `accessDays` can be cleared with an explicit null, hence the double optional.
public struct InviteLinkPatch: Sendable {
    public var status: String?
    public var statusUntil: String??
    public var permissions: [String]?
    public var allowedPlatforms: [String]?
    public var accountIds: [String]?
    public var maxUses: Int??
    public var requireApproval: Bool?
    public var accessDays: Int??

    public init(
        status: String? = nil, statusUntil: String?? = nil, permissions: [String]? = nil, allowedPlatforms: [String]? = nil,
        accountIds: [String]? = nil, maxUses: Int?? = nil, requireApproval: Bool? = nil, accessDays: Int?? = nil
    ) {
        self.status = status
        self.statusUntil = statusUntil
        self.permissions = permissions
        self.allowedPlatforms = allowedPlatforms
        self.accountIds = accountIds
        self.maxUses = maxUses
        self.requireApproval = requireApproval
        self.accessDays = accessDays
    }
}

/// A pending request to join through a link that requires approval.
public struct JoinRequestView: Codable, Sendable, Equatable {
    public var id: String
    public var userId: String
    public var email: String
    public var name: String
    public var permissions: [ClientPermission]
    public var createdAt: Date
}
