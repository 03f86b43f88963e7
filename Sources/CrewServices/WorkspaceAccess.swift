import CrewCore
import CrewStore
import Foundation

/// The caller's membership of the workspace in the request path, resolved once
/// per request. Everything a use case needs to authorize the caller.
public struct WorkspaceAccess: Sendable {
    public var workspaceID: UUID
    public var membershipID: UUID
    public var userID: UUID
    public var facts: MemberFacts
    /// The caller, for audit rows.
    public var actor: Actor
    /// The workspace's members-list version, read with the membership in the
    /// same statement (saves the members page a round trip): a page listed
    /// with this access is served as at least this new. nil when unknown (the
    /// list reads it). An access belongs to one request: one kept longer, or
    /// used to list after changing members, sees the list it started with.
    public var membersVersion: Int?

    public init(workspaceID: UUID, membershipID: UUID, userID: UUID, facts: MemberFacts, actor: Actor, membersVersion: Int? = nil) {
        self.workspaceID = workspaceID
        self.membershipID = membershipID
        self.userID = userID
        self.facts = facts
        self.actor = actor
        self.membersVersion = membersVersion
    }

    public var role: Role { facts.role }

    /// Throws the policy's refusal when the caller may not do `action`.
    public func require(_ action: Action, accountAssigned: Bool = false) throws(DomainError) {
        try Policy.require(facts, action, accountAssigned: accountAssigned)
    }
}

extension WorkspaceService {
    /// Resolves the caller's access to a workspace; not a member means "not found".
    public func access(userID: UUID, workspaceID: UUID, actor: Actor, on db: any Database) async throws -> WorkspaceAccess {
        guard let row = try await db.first(AccessLookup(workspaceID: workspaceID, userID: userID), as: AccessRow.self) else {
            throw DomainError.notFound("No such workspace.")
        }
        return WorkspaceAccess(
            workspaceID: workspaceID, membershipID: row.id.uuid, userID: userID,
            facts: MemberFacts(
                role: Role(rawValue: row.role) ?? .client, permissions: CommaList.decode(row.permissions),
                allowedPlatforms: CommaList.decode(row.allowed_platforms)),
            actor: actor, membersVersion: row.version)
    }

    /// Every workspace request's authorization: the caller's membership and
    /// the workspace's members-list version, one prepared statement.
    private struct AccessLookup: PreparedStatement {
        static let sql = """
            SELECT m.id, m.role, m.permissions, m.allowed_platforms, COALESCE(v.version, 0) AS version
            FROM \(MembershipModel.schema) m LEFT JOIN member_list_versions v ON v.workspace_id = m.workspace_id
            WHERE m.workspace_id = $1 AND m.user_id = $2
            """
        let workspaceID: UUID
        let userID: UUID
        var values: [any PreparedValue] { [workspaceID, userID] }
    }

    private struct AccessRow: PreparedRow {
        var id: RowID
        var role: String
        var permissions: String
        var allowed_platforms: String
        var version: Int

        init(reading columns: inout ColumnReader) throws {
            id = try columns.next("id")
            role = try columns.next("role")
            permissions = try columns.next("permissions")
            allowed_platforms = try columns.next("allowed_platforms")
            version = try columns.next("version")
        }
    }
}
