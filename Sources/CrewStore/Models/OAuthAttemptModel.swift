import FluentKit
import Foundation

/// One started OAuth authorization, waiting for the platform to send the
/// person back. Kept in the database (not in memory) so the callback may reach
/// any Crew process. The `state` is stored hashed, the PKCE verifier sealed.
public final class OAuthAttemptModel: Model, @unchecked Sendable {
    public static let schema = "oauth_attempts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "state_hash") public var stateHash: String
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "membership_id") public var membershipID: UUID
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "platform") public var platform: String
    @Field(key: "verifier_sealed") public var verifierSealed: String
    /// Set when the attempt reconnects one existing account.
    @OptionalField(key: "account_id") public var accountID: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    /// Set by the first callback; a second one with the same state is refused.
    @OptionalField(key: "finished_at") public var finishedAt: Date?

    public init() {}

    public init(
        stateHash: String, workspaceID: UUID, membershipID: UUID, userID: UUID, platform: String, verifierSealed: String,
        accountID: UUID?, createdAt: Date, expiresAt: Date
    ) {
        self.stateHash = stateHash
        self.workspaceID = workspaceID
        self.membershipID = membershipID
        self.userID = userID
        self.platform = platform
        self.verifierSealed = verifierSealed
        self.accountID = accountID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
