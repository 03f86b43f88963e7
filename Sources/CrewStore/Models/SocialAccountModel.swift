import CrewCore
import FluentKit
import Foundation

/// A connected social account (a page or profile on a platform). Accounts are
/// never deleted: disconnecting wipes the credentials and keeps the row, so
/// posts, analytics and audit history stay attached, and connecting the same
/// profile again brings back the same account.
public final class SocialAccountModel: Model, @unchecked Sendable {
    public static let schema = "social_accounts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "platform") public var platform: String
    @Field(key: "name") public var name: String
    @Field(key: "status") public var statusText: String
    @OptionalField(key: "connected_by_user_id") public var connectedByUserID: UUID?
    @Field(key: "created_at") public var createdAt: Date
    /// The platform's id of the profile; `nil` only for rows made before connectors existed.
    @OptionalField(key: "external_id") public var externalID: String?
    /// The platform's tokens as sealed JSON; `nil` once disconnected.
    @OptionalField(key: "credentials_sealed") public var credentialsSealed: String?
    @OptionalField(key: "token_expires_at") public var tokenExpiresAt: Date?
    /// Why the account needs attention, in words for people.
    @OptionalField(key: "status_detail") public var statusDetail: String?
    /// A process refreshing the tokens holds this until the time given, so two
    /// processes never refresh (and so invalidate) the same grant at once.
    @OptionalField(key: "refresh_claimed_until") public var refreshClaimedUntil: Date?
    @OptionalField(key: "updated_at") public var updatedAt: Date?
    @OptionalField(key: "disconnected_at") public var disconnectedAt: Date?
    /// When the inbox and the analytics were last pulled from the platform.
    @OptionalField(key: "inbox_synced_at") public var inboxSyncedAt: Date?
    @OptionalField(key: "metrics_synced_at") public var metricsSyncedAt: Date?
    /// A process pulling the inbox and metrics holds this until the time given.
    @OptionalField(key: "sync_claimed_until") public var syncClaimedUntil: Date?

    public init() {}

    public init(
        id: UUID? = nil, workspaceID: UUID, platform: String, name: String, status: AccountStatus = .connected,
        connectedByUserID: UUID?, createdAt: Date, externalID: String? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.platform = platform
        self.name = name
        self.statusText = status.rawValue
        self.connectedByUserID = connectedByUserID
        self.createdAt = createdAt
        self.externalID = externalID
        self.updatedAt = createdAt
    }

    public var status: AccountStatus {
        get { AccountStatus(rawValue: statusText) ?? .needsReconnect }
        set { statusText = newValue.rawValue }
    }
}

extension SocialAccountModel {
    /// Accounts that count against the plan's social account limit (all but disconnected).
    public static func countAgainstLimit(in workspaceID: UUID, on db: any Database) async throws -> Int {
        try await query(on: db).filter(\.$workspaceID == workspaceID)
            .filter(\.$statusText != AccountStatus.disconnected.rawValue).count()
    }
}
