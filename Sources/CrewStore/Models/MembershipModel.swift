import CrewCore
import FluentKit
import FluentSQL
import Foundation

/// A person's place in a workspace: role, client permissions, allowed platforms.
///
/// `counts_as_seat` is derived from role and permissions when written, so seats
/// are counted by one indexed query instead of decoding every row.
public final class MembershipModel: Model, @unchecked Sendable {
    public static let schema = "memberships"

    @ID(key: .id) public var id: UUID?
    @Field(key: "workspace_id") public var workspaceID: UUID
    @Field(key: "user_id") public var userID: UUID
    @Field(key: "role") public var roleText: String
    @Field(key: "permissions") public var permissionsText: String
    @Field(key: "allowed_platforms") public var allowedPlatformsText: String
    @Field(key: "counts_as_seat") public var countsAsSeat: Bool
    @Field(key: "joined_via") public var joinedVia: String
    @Field(key: "joined_at") public var joinedAt: Date
    /// When the member's access ends (`AccessExpiry`); nil: never.
    @OptionalField(key: "access_until") public var accessUntil: Date?
    /// When the notice that access is ending went out (cleared by an extension).
    @OptionalField(key: "access_notice_at") public var accessNoticeAt: Date?

    public init() {}

    public init(
        id: UUID? = nil, workspaceID: UUID, userID: UUID, role: Role,
        permissions: Set<ClientPermission> = [], allowedPlatforms: Set<Platform> = [],
        joinedVia: String, joinedAt: Date, accessUntil: Date? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.userID = userID
        self.roleText = role.rawValue
        self.joinedVia = joinedVia
        self.joinedAt = joinedAt
        self.accessUntil = accessUntil
        self.permissions = permissions
        self.allowedPlatforms = allowedPlatforms
    }

    /// The member's role; setting it also recomputes `countsAsSeat`.
    public var role: Role {
        get { Role(rawValue: roleText) ?? .client }
        set {
            roleText = newValue.rawValue
            countsAsSeat = Seats.countsAsSeat(role: newValue, permissions: permissions)
        }
    }

    /// Client permissions; setting them also recomputes `countsAsSeat`.
    public var permissions: Set<ClientPermission> {
        get { CommaList.decode(permissionsText) }
        set {
            permissionsText = CommaList.encode(newValue)
            countsAsSeat = Seats.countsAsSeat(role: role, permissions: newValue)
        }
    }

    public var allowedPlatforms: Set<Platform> {
        get { CommaList.decode(allowedPlatformsText) }
        set { allowedPlatformsText = CommaList.encode(newValue) }
    }
}

extension MembershipModel {
    /// A person's membership of a workspace, if any: every workspace request's
    /// authorization reads it, so it is a prepared statement.
    public static func of(_ userID: UUID, in workspaceID: UUID, on db: any Database) async throws -> MembershipModel? {
        try await db.first(Lookup(workspaceID: workspaceID, userID: userID))?.decode(fluentModel: MembershipModel.self)
    }

    private struct Lookup: PreparedStatement {
        static let sql = "SELECT \(MembershipModel.columns()) FROM \(MembershipModel.schema) WHERE workspace_id = $1 AND user_id = $2"
        let workspaceID: UUID
        let userID: UUID
        var values: [any PreparedValue] { [workspaceID, userID] }
    }

    /// Inserts this membership unless the person already belongs to the
    /// workspace (the unique index decides, so nothing is read first). The
    /// model needs its id set. Returns whether a row was written.
    public func insertUnlessMember(on db: any Database) async throws -> Bool {
        markSaved(try await db.first(InsertUnlessMember(values: try insertValues)) != nil)
    }

    private struct InsertUnlessMember: PreparedStatement {
        static let sql = """
            INSERT INTO \(MembershipModel.schema) (\(MembershipModel.insertColumns)) VALUES (\(placeholders(1...MembershipModel.insertColumnCount)))
            ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING id
            """
        let values: [any PreparedValue]
    }

    /// The columns a new membership writes, in the order of `insertValues`.
    public static let insertColumns =
        "id, workspace_id, user_id, role, permissions, allowed_platforms, counts_as_seat, joined_via, joined_at, access_until"

    /// How many `insertColumns` there are: statements that bind more after
    /// them number those from here.
    public static let insertColumnCount = 10

    /// The values of `insertColumns`; the model needs its id set.
    public var insertValues: [any PreparedValue] {
        get throws {
            [try requireID(), workspaceID, userID, roleText, permissionsText, allowedPlatformsText, countsAsSeat, joinedVia, joinedAt, accessUntil]
        }
    }

    /// Marks the membership as written by a statement of the caller's (it
    /// reported `inserted`), so later changes are updates; returns `inserted`.
    public func markSaved(_ saved: Bool) -> Bool {
        if saved { $id.exists = true }
        return saved
    }
}
