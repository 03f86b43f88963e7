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

/// A caller's membership of one workspace as authorization reads it, with the
/// workspace's members-list version read in the same statement.
public struct CallerMembership: Sendable, Equatable {
    public var workspaceID: UUID
    public var membershipID: UUID
    public var facts: MemberFacts
    public var membersVersion: Int
    /// When the member's access ends (nil: never).
    public var accessUntil: Date?

    /// The membership if its access has not ended at `now`; else the member
    /// may do nothing here, from this request on (`AccessExpiry`).
    public func admitted(at now: Date) throws(DomainError) -> CallerMembership {
        guard !AccessExpiry.hasEnded(accessUntil, at: now) else { throw DomainError.accessEnded() }
        return self
    }

    /// The columns `read` takes, of a membership `m` (all NULL when the
    /// statement found none).
    static let columns = """
        m.workspace_id, m.id AS membership_id, m.role, m.permissions, m.allowed_platforms, m.access_until,
        (SELECT v.version FROM member_list_versions v WHERE v.workspace_id = m.workspace_id) AS version
        """

    /// Reads `columns`, in their order; nil when they are NULL (not a member).
    static func read(_ columns: inout ColumnReader) throws -> CallerMembership? {
        let workspaceID: RowID? = try columns.next("workspace_id")
        let id: RowID? = try columns.next("membership_id")
        let role: String? = try columns.next("role")
        let permissions: String? = try columns.next("permissions")
        let platforms: String? = try columns.next("allowed_platforms")
        let accessUntil: Date? = try columns.next("access_until")
        let version: Int? = try columns.next("version")
        guard let workspaceID, let id, let role, let permissions, let platforms else { return nil }
        return CallerMembership(
            workspaceID: workspaceID.uuid, membershipID: id.uuid,
            facts: MemberFacts(
                role: Role(rawValue: role) ?? .client, permissions: CommaList.decode(permissions), allowedPlatforms: CommaList.decode(platforms)),
            membersVersion: version ?? 0, accessUntil: accessUntil)
    }
}

extension WorkspaceAccess {
    public init(_ caller: CallerMembership, userID: UUID, actor: Actor) {
        self.init(
            workspaceID: caller.workspaceID, membershipID: caller.membershipID, userID: userID, facts: caller.facts, actor: actor,
            membersVersion: caller.membersVersion)
    }
}

extension WorkspaceService {
    /// Resolves the caller's access to a workspace; not a member means "not found".
    public func access(userID: UUID, workspaceID: UUID, actor: Actor, on db: any Database) async throws -> WorkspaceAccess {
        guard let row = try await db.first(AccessLookup(workspaceID: workspaceID, userID: userID), as: AccessRow.self),
            let caller = row.caller
        else { throw DomainError.notFound("No such workspace.") }
        return WorkspaceAccess(try caller.admitted(at: env.clock.now), userID: userID, actor: actor)
    }

    /// Every workspace request's authorization when the session lookup did not
    /// read it already: the caller's membership and the workspace's
    /// members-list version, one prepared statement.
    private struct AccessLookup: PreparedStatement {
        static let readsInline = true
        static let sql = """
            SELECT \(CallerMembership.columns)
            FROM \(MembershipModel.schema) m WHERE m.workspace_id = $1 AND m.user_id = $2
            """
        let workspaceID: UUID
        let userID: UUID
        var values: [any PreparedValue] { [workspaceID, userID] }
    }

    private struct AccessRow: PreparedRow {
        var caller: CallerMembership?

        init(reading columns: inout ColumnReader) throws {
            caller = try CallerMembership.read(&columns)
        }
    }
}

extension WorkspaceService {
    /// The operator's access to a workspace from the command line: the owner's
    /// powers, with audit rows naming `crew (command line)`. Not found when the
    /// workspace does not exist.
    public func operatorAccess(workspaceID: UUID, on db: any Database) async throws -> WorkspaceAccess {
        guard let owner = try await MembershipModel.query(on: db)
            .filter(\.$workspaceID == workspaceID).filter(\.$roleText == Role.owner.rawValue).first()
        else { throw DomainError.notFound("No workspace \(workspaceID.apiString).") }
        return WorkspaceAccess(
            workspaceID: workspaceID, membershipID: owner.id!, userID: owner.userID, facts: MemberFacts(role: .owner), actor: .commandLine)
    }
}
