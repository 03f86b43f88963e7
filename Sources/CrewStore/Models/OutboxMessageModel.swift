import FluentKit
import Foundation

/// A mail waiting to be delivered (or delivered). Written in the same
/// transaction as the change that causes it, so no mail is lost on a crash.
public final class OutboxMessageModel: Model, @unchecked Sendable {
    public static let schema = "mail_outbox"

    @ID(key: .id) public var id: UUID?
    @OptionalField(key: "workspace_id") public var workspaceID: UUID?
    @Field(key: "kind") public var kind: String
    @Field(key: "to_address") public var toAddress: String
    @Field(key: "subject") public var subject: String
    /// Empty when the bodies are shared (`bodyID`).
    @Field(key: "text_body") public var textBody: String
    @Field(key: "html_body") public var htmlBody: String
    @OptionalField(key: "invitation_id") public var invitationID: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "next_attempt_at") public var nextAttemptAt: Date
    @Field(key: "attempts") public var attempts: Int
    @OptionalField(key: "sent_at") public var sentAt: Date?
    @OptionalField(key: "failed_at") public var failedAt: Date?
    @OptionalField(key: "last_error") public var lastError: String?
    /// The bodies this mail shares with others of its batch (`MailBodyModel`).
    @OptionalField(key: "body_id") public var bodyID: UUID?
    /// The order the mail was queued in, which delivery keeps: numbered by the
    /// database as rows are inserted (migration 0011); never set it.
    @OptionalField(key: "seq") public var seq: Int64?

    public init() {}
}
