import CrewCore
import FluentKit
import Foundation

/// A workspace's client invite link. The token is stored twice, never in the
/// clear: its SHA-256 for lookup, and sealed (AES-GCM) so owners can copy the
/// URL again.
public final class InviteLinkModel: Model, @unchecked Sendable {
    public static let schema = "invite_links"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "token_sealed") public var tokenSealed: String
    @Field(key: "status") public var statusText: String
    @OptionalField(key: "status_until") public var statusUntil: Date?
    @Field(key: "permissions") public var permissionsText: String
    @Field(key: "allowed_platforms") public var allowedPlatformsText: String
    @Field(key: "account_ids") public var accountIDsText: String
    @OptionalField(key: "max_uses") public var maxUses: Int?
    @Field(key: "uses") public var uses: Int
    @Field(key: "require_approval") public var requireApproval: Bool
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    /// Days of access a joiner gets (`AccessExpiry`); nil: access without end.
    @OptionalField(key: "access_days") public var accessDays: Int?

    public init() {}

    public var schedule: LinkSchedule {
        get { LinkSchedule(status: LinkStatus(rawValue: statusText) ?? .disabled, statusUntil: statusUntil) }
        set {
            statusText = newValue.status.rawValue
            statusUntil = newValue.statusUntil
        }
    }

    public var permissions: Set<ClientPermission> {
        get { CommaList.decode(permissionsText) }
        set { permissionsText = CommaList.encode(newValue) }
    }

    public var allowedPlatforms: Set<Platform> {
        get { CommaList.decode(allowedPlatformsText) }
        set { allowedPlatformsText = CommaList.encode(newValue) }
    }

    public var accountIDs: [UUID] {
        get { CommaList.decodeIDs(accountIDsText) }
        set { accountIDsText = CommaList.encodeIDs(newValue) }
    }
}

extension InviteLinkModel: PreparedRow {
    /// Reads the columns of `columns()`, in that order: a join reads its link
    /// twice, and Fluent's decoding was 6 % of its CPU. For reading only; it
    /// does not mark the row as loaded for `update(on:)`.
    public convenience init(reading columns: inout ColumnReader) throws {
        self.init()
        id = try columns.next("id", as: RowID.self).uuid
        try readFields(&columns, prefix: "")
    }

    /// Reads `columns(as:prefixed:)` where an outer join may have found no
    /// link (every column NULL): nil then.
    public static func readIfPresent(_ columns: inout ColumnReader, prefix: String) throws -> InviteLinkModel? {
        guard let id = try columns.next(prefix + "id", as: RowID?.self) else {
            for key in keys.dropFirst() { try columns.skip(prefix + key.description) }
            return nil
        }
        let link = InviteLinkModel()
        link.id = id.uuid
        try link.readFields(&columns, prefix: prefix)
        return link
    }

    /// Every column after the id, in the order of `columns()`.
    private func readFields(_ columns: inout ColumnReader, prefix: String) throws {
        workspaceID = try columns.next(prefix + "workspace_id", as: RowID.self).uuid
        tokenHash = try columns.next(prefix + "token_hash")
        tokenSealed = try columns.next(prefix + "token_sealed")
        statusText = try columns.next(prefix + "status")
        statusUntil = try columns.next(prefix + "status_until")
        permissionsText = try columns.next(prefix + "permissions")
        allowedPlatformsText = try columns.next(prefix + "allowed_platforms")
        accountIDsText = try columns.next(prefix + "account_ids")
        maxUses = try columns.next(prefix + "max_uses")
        uses = try columns.next(prefix + "uses")
        requireApproval = try columns.next(prefix + "require_approval")
        createdAt = try columns.next(prefix + "created_at")
        updatedAt = try columns.next(prefix + "updated_at")
        accessDays = try columns.next(prefix + "access_days")
    }
}

/// Hashes of tokens a refresh retired, so their links answer 410 rather than 404.
public final class RetiredLinkTokenModel: Model, @unchecked Sendable {
    public static let schema = "retired_link_tokens"

    @ID(key: .id) public var id: UUID?
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "retired_at") public var retiredAt: Date

    public init() {}

    public init(tokenHash: String, workspaceID: UUID, retiredAt: Date) {
        self.tokenHash = tokenHash
        self.workspaceID = workspaceID
        self.retiredAt = retiredAt
    }
}

/// Someone who opened a link that requires approval, waiting for an owner or
/// admin. The link's configuration is copied at request time.
public final class JoinRequestModel: Model, @unchecked Sendable {
    public static let schema = "join_requests"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "permissions") public var permissionsText: String
    @Field(key: "allowed_platforms") public var allowedPlatformsText: String
    @Field(key: "account_ids") public var accountIDsText: String
    @Field(key: "state") public var state: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    /// The order people asked in, which the approvers' list keeps: numbered by
    /// the database as rows are inserted (migration 0011); never set it.
    @OptionalField(key: "seq") public var seq: Int64?

    public init() {}

    public var permissions: Set<ClientPermission> { CommaList.decode(permissionsText) }
    public var allowedPlatforms: Set<Platform> { CommaList.decode(allowedPlatformsText) }
    public var accountIDs: [UUID] { CommaList.decodeIDs(accountIDsText) }
}

/// A fixed-window counter shared by every process (wrong-token rate limits).
public final class RateLimitModel: Model, @unchecked Sendable {
    public static let schema = "rate_limits"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bucket") public var bucket: String
    @Field(key: "window_start") public var windowStart: Date
    @Field(key: "count") public var count: Int

    public init() {}
}
