import FluentKit
import Foundation

/// The sealed bodies of a mail sent to many people at once (the notice of a
/// bulk removal), stored once and named by each of its outbox rows.
public final class MailBodyModel: Model, @unchecked Sendable {
    public static let schema = "mail_bodies"

    @ID(key: .id) public var id: UUID?
    @Field(key: "text_body") public var textBody: String
    @Field(key: "html_body") public var htmlBody: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}
