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

    public init() {}

    public init(
        id: UUID? = nil, workspaceID: UUID, userID: UUID, role: Role,
        permissions: Set<ClientPermission> = [], allowedPlatforms: Set<Platform> = [],
        joinedVia: String, joinedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.userID = userID
        self.roleText = role.rawValue
        self.joinedVia = joinedVia
        self.joinedAt = joinedAt
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
    /// Inserts this membership unless the person already belongs to the
    /// workspace (the unique index decides, so nothing is read first). The
    /// model needs its id set. Returns whether a row was written.
    public func insertUnlessMember(on db: any Database) async throws -> Bool {
        let sql = db as! any SQLDatabase
        let (columns, values) = try insertColumnsAndValues()
        let row = try await sql.raw(
            "INSERT INTO \(ident: Self.schema) (\(columns)) VALUES (\(values)) ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING id"
        ).first()
        return markSaved(row != nil)
    }

    /// PostgreSQL only: in one statement, locks the workspace row `FOR SHARE`,
    /// inserts this membership unless the person already belongs there, and runs
    /// `alsoInsert` (an `INSERT … SELECT … FROM inserted`, for example the audit
    /// event) for the row written. Returns the workspace's plan and whether the
    /// membership was written. A statement instead of three in a transaction
    /// that other joins wait on.
    public func insertUnlessMemberSharingWorkspaceLock(
        alsoInsert: SQLQueryString, on db: any Database
    ) async throws -> (plan: String?, inserted: Bool) {
        let sql = db as! any SQLDatabase
        let (columns, values) = try insertColumnsAndValues()
        let row = try await sql.raw(
            """
            WITH locked AS (SELECT plan FROM \(ident: WorkspaceModel.schema) WHERE id = \(bind: workspaceID) FOR SHARE),
            inserted AS (
                INSERT INTO \(ident: Self.schema) (\(columns)) SELECT \(values) FROM locked
                ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING id),
            also AS (\(alsoInsert))
            SELECT (SELECT plan FROM locked) AS plan, (SELECT COUNT(*) FROM inserted) AS inserted
            """
        ).first()
        let inserted = try row?.decode(column: "inserted", as: Int.self) ?? 0
        return (try row?.decode(column: "plan", as: String?.self), markSaved(inserted == 1))
    }

    private func insertColumnsAndValues() throws -> (columns: SQLQueryString, values: SQLQueryString) {
        (
            "id, workspace_id, user_id, role, permissions, allowed_platforms, counts_as_seat, joined_via, joined_at",
            """
            \(bind: try requireID()), \(bind: workspaceID), \(bind: userID), \(bind: roleText), \(bind: permissionsText), \
            \(bind: allowedPlatformsText), \(bind: countsAsSeat), \(bind: joinedVia), \(bind: joinedAt)
            """
        )
    }

    /// Once saved, later changes to this instance are updates.
    private func markSaved(_ saved: Bool) -> Bool {
        if saved { $id.exists = true }
        return saved
    }
}
