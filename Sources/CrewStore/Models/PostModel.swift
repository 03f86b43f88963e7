import CrewCore
import FluentKit
import Foundation

/// A post for one social account. A post written for several accounts is one
/// row per account sharing a `batchID`, because each account publishes (and
/// may fail) on its own and each may be approved by different clients.
/// Posts are never deleted by removing people or accounts.
public final class PostModel: Model, @unchecked Sendable {
    public static let schema = "posts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "account_id") public var accountID: UUID
    @Field(key: "batch_id") public var batchID: UUID
    @Field(key: "author_user_id") public var authorUserID: UUID
    @Field(key: "text") public var text: String
    @OptionalField(key: "link") public var link: String?
    /// JSON array of addresses.
    @Field(key: "media_urls") public var mediaURLsJSON: String
    @Field(key: "status") public var statusText: String
    @OptionalField(key: "scheduled_at") public var scheduledAt: Date?
    @Field(key: "time_zone") public var timeZone: String
    /// The list's sort key: the scheduled time, or the creation time of an unscheduled draft.
    @Field(key: "sort_at") public var sortAt: Date
    /// When the scheduler next looks at this post (publish, retry, or expire);
    /// pushed past a lease while one process publishes it.
    @OptionalField(key: "next_attempt_at") public var nextAttemptAt: Date?
    @Field(key: "attempts") public var attempts: Int
    @OptionalField(key: "approved_by_user_id") public var approvedByUserID: UUID?
    @OptionalField(key: "approved_at") public var approvedAt: Date?
    @OptionalField(key: "client_approved_by_user_id") public var clientApprovedByUserID: UUID?
    @OptionalField(key: "client_approved_at") public var clientApprovedAt: Date?
    @OptionalField(key: "published_at") public var publishedAt: Date?
    @OptionalField(key: "external_id") public var externalID: String?
    @OptionalField(key: "external_url") public var externalURL: String?
    /// The platform's message when publishing failed.
    @OptionalField(key: "failure_detail") public var failureDetail: String?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    /// Where the post stands in the scheduler's queue among posts due at the
    /// same time: numbered by the database as rows are inserted (migration
    /// 0011); never set it.
    @OptionalField(key: "seq") public var seq: Int64?

    public init() {}

    public var status: PostStatus {
        get { PostStatus(rawValue: statusText) ?? .draft }
        set { statusText = newValue.rawValue }
    }

    public var mediaURLs: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(mediaURLsJSON.utf8))) ?? [] }
        set { mediaURLsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }
}

/// A comment on a post. `internal` notes are for the team only; clients never
/// see them. `kind` tells comments from the notes approvals leave.
public final class PostCommentModel: Model, @unchecked Sendable {
    public static let schema = "post_comments"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "post_id") public var postID: UUID
    @Field(key: "author_user_id") public var authorUserID: UUID
    /// Kept with the comment, so it stays readable after the author leaves.
    @Field(key: "author_name") public var authorName: String
    @Field(key: "text") public var text: String
    @Field(key: "internal") public var isInternal: Bool
    /// `comment`, or `changes_requested` for the note of a rejection.
    @Field(key: "kind") public var kind: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}
