import FluentKit
import Foundation

/// A personal access token for automation; shown once, stored as SHA-256.
public final class APITokenModel: Model, @unchecked Sendable {
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "name") public var name: String
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "last_used_at") public var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    /// `read` or `read_write` (`TokenScope`).
    @Field(key: "scope") public var scope: String
    /// The one workspace the token reaches; nil: every workspace of its person.
    @OptionalField(key: "workspace_id") public var workspaceID: UUID?
    @OptionalField(key: "expires_at") public var expiresAt: Date?

    public init() {}

    public init(
        id: UUID? = nil, userID: UUID, name: String, tokenHash: String, createdAt: Date, scope: String = "read_write",
        workspaceID: UUID? = nil, expiresAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.scope = scope
        self.workspaceID = workspaceID
        self.expiresAt = expiresAt
    }
}
