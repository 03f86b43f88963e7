import CrewCore
import FluentKit
import Foundation

/// A team: one owner, members, social accounts, and a plan.
public final class WorkspaceModel: Model, @unchecked Sendable {
    public static let schema = "workspaces"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "plan") public var plan: String
    @Field(key: "created_at") public var createdAt: Date
    /// Whether posts by clients with `publish_posts` go to review (nil: yes).
    @OptionalField(key: "client_posts_need_approval") public var clientPostsNeedApprovalSetting: Bool?
    /// `hold` or `publish` (nil: hold).
    @OptionalField(key: "unapproved_post_policy") public var unapprovedPostPolicyText: String?

    public init() {}

    public init(id: UUID? = nil, name: String, plan: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.plan = plan
        self.createdAt = createdAt
    }
}

extension WorkspaceModel {
    public var clientPostsNeedApproval: Bool { clientPostsNeedApprovalSetting ?? true }

    public var unapprovedPostPolicy: UnapprovedPostPolicy {
        unapprovedPostPolicyText.flatMap(UnapprovedPostPolicy.init(rawValue:)) ?? .hold
    }
}
