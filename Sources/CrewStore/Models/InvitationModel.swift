import CrewCore
import FluentKit
import Foundation

/// An email invitation: pending until accepted, revoked or expired. Only the
/// SHA-256 of its token is stored.
public final class InvitationModel: Model, @unchecked Sendable {
    public static let schema = "invitations"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "email") public var email: String
    @Field(key: "role") public var roleText: String
    @Field(key: "permissions") public var permissionsText: String
    @Field(key: "allowed_platforms") public var allowedPlatformsText: String
    @Field(key: "account_ids") public var accountIDsText: String
    @Field(key: "counts_as_seat") public var countsAsSeat: Bool
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "state") public var state: String
    @OptionalField(key: "invited_by_user_id") public var invitedByUserID: UUID?
    @Field(key: "invited_by_name") public var invitedByName: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "sent_at") public var sentAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "closed_at") public var closedAt: Date?
    /// The current token, sealed, so owners can copy the link when mail fails.
    @OptionalField(key: "token_sealed") public var tokenSealed: String?
    /// When the access this invitation gives ends (`AccessExpiry`); nil: never.
    @OptionalField(key: "access_until") public var accessUntil: Date?

    public static let pending = "pending"
    public static let accepted = "accepted"
    public static let revoked = "revoked"

    public init() {}

    public var role: Role { Role(rawValue: roleText) ?? .client }

    public var permissions: Set<ClientPermission> {
        get { CommaList.decode(permissionsText) }
        set { permissionsText = CommaList.encode(newValue) }
    }

    public var allowedPlatforms: Set<Platform> {
        get { CommaList.decode(allowedPlatformsText) }
        set { allowedPlatformsText = CommaList.encode(newValue) }
    }

    public var accountIDs: [UUID] {
        get { CommaList.decodeIDs(accountIDsText) }
        set { accountIDsText = CommaList.encodeIDs(newValue) }
    }
}
