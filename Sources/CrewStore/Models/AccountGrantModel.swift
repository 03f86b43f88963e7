import FluentKit
import Foundation

/// A member's access to one social account. Removed with the membership; the
/// account itself stays.
public final class AccountGrantModel: Model, @unchecked Sendable {
    public static let schema = "account_grants"

    @ID(key: .id) public var id: UUID?
    @Field(key: "membership_id") public var membershipID: UUID
    @Field(key: "account_id") public var accountID: UUID
    @Field(key: "workspace_id") public var workspaceID: UUID

    public init() {}

    public init(membershipID: UUID, accountID: UUID, workspaceID: UUID) {
        self.membershipID = membershipID
        self.accountID = accountID
        self.workspaceID = workspaceID
    }
}
