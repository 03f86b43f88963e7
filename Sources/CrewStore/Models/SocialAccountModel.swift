import FluentKit
import Foundation

/// A connected social account (a page or profile on a platform). Accounts are
/// never deleted when the person who connected them leaves.
public final class SocialAccountModel: Model, @unchecked Sendable {
    public static let schema = "social_accounts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "platform") public var platform: String
    @Field(key: "name") public var name: String
    @Field(key: "status") public var status: String
    @OptionalField(key: "connected_by_user_id") public var connectedByUserID: UUID?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(id: UUID? = nil, workspaceID: UUID, platform: String, name: String, status: String = "connected", connectedByUserID: UUID?, createdAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.platform = platform
        self.name = name
        self.status = status
        self.connectedByUserID = connectedByUserID
        self.createdAt = createdAt
    }
}
