import FluentKit
import Foundation

/// A known text sealed with the installation's key (see `CreateKeyCheck`).
public final class KeyCheckModel: Model, @unchecked Sendable {
    public static let schema = "key_check"
    /// What is sealed; opening it proves the key is the database's key.
    public static let plaintext = "crew key check v1"

    @ID(key: .id) public var id: UUID?
    @Field(key: "sealed") public var sealed: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(sealed: String, createdAt: Date) {
        self.sealed = sealed
        self.createdAt = createdAt
    }
}
