import FluentKit
import Foundation

/// One append-only record of a change: who did what to whom, before and after.
///
/// Names are copied into the row so the log still reads correctly after a
/// member leaves ("former member").
public final class AuditEventModel: Model, @unchecked Sendable {
    public static let schema = "audit_events"

    @ID(key: .id) public var id: UUID?
    @OptionalField(key: "workspace_id") public var workspaceID: UUID?
    @OptionalField(key: "actor_user_id") public var actorUserID: UUID?
    @Field(key: "actor_name") public var actorName: String
    @Field(key: "action") public var action: String
    @Field(key: "target_type") public var targetType: String
    @OptionalField(key: "target_id") public var targetID: String?
    @Field(key: "target_label") public var targetLabel: String
    @OptionalField(key: "before_json") public var beforeJSON: String?
    @OptionalField(key: "after_json") public var afterJSON: String?
    @OptionalField(key: "ip") public var ip: String?
    @OptionalField(key: "batch_id") public var batchID: UUID?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}
