import FluentKit
import Foundation

/// Failed log-ins in a row for one email address, and until when no attempt
/// for it is checked.
public final class LoginGuardModel: Model, @unchecked Sendable {
    public static let schema = "login_guards"

    @ID(key: .id) public var id: UUID?
    @Field(key: "email") public var email: String
    @Field(key: "failures") public var failures: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}

/// A password reset link: single use, expiring, stored as the token's SHA-256.
public final class PasswordResetModel: Model, @unchecked Sendable {
    public static let schema = "password_resets"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "used_at") public var usedAt: Date?

    public init() {}

    public init(userID: UUID, tokenHash: String, createdAt: Date, expiresAt: Date) {
        self.userID = userID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
