import FluentKit
import Foundation

/// A conversation in an account's inbox, pulled from the platform. Crew keeps
/// every conversation it has seen, even after the platform stops listing it.
public final class ConversationModel: Model, @unchecked Sendable {
    public static let schema = "conversations"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "account_id") public var accountID: UUID
    @Field(key: "external_id") public var externalID: String
    /// The person on the other side.
    @Field(key: "participant") public var participant: String
    /// `open` or `closed`.
    @Field(key: "status") public var status: String
    @OptionalField(key: "assigned_membership_id") public var assignedMembershipID: UUID?
    /// A message from the participant arrived since someone last read it.
    @Field(key: "unread") public var unread: Bool
    @Field(key: "last_message_at") public var lastMessageAt: Date
    @Field(key: "last_message_preview") public var lastMessagePreview: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}

/// One message of a conversation: from the participant, or from the profile
/// (a reply sent through Crew has the sending person's id).
public final class ConversationMessageModel: Model, @unchecked Sendable {
    public static let schema = "conversation_messages"

    @ID(key: .id) public var id: UUID?
    @Field(key: "conversation_id") public var conversationID: UUID
    @Field(key: "external_id") public var externalID: String
    @Field(key: "author") public var author: String
    @Field(key: "from_profile") public var fromProfile: Bool
    @Field(key: "text") public var text: String
    @Field(key: "sent_at") public var sentAt: Date
    @OptionalField(key: "sent_by_user_id") public var sentByUserID: UUID?

    public init() {}
}

/// One day of one account's numbers, as the platform reported them.
public final class AccountMetricModel: Model, @unchecked Sendable {
    public static let schema = "account_metrics"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "account_id") public var accountID: UUID
    /// `YYYY-MM-DD` (UTC); sorts as text.
    @Field(key: "day") public var day: String
    @Field(key: "followers") public var followers: Int
    @Field(key: "impressions") public var impressions: Int
    @Field(key: "engagements") public var engagements: Int
    @Field(key: "clicks") public var clicks: Int
    @Field(key: "posts_published") public var postsPublished: Int
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}
