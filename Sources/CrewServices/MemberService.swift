import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// Listing and editing the members of a workspace, ownership transfer and leaving.
/// Removal lives in `MemberService+Removal.swift`.
public struct MemberService: Sendable {
    let env: CrewEnvironment
    let audit: AuditLog
    let seats: SeatLedger

    public init(env: CrewEnvironment) {
        self.env = env
        self.audit = AuditLog(clock: env.clock)
        self.seats = SeatLedger(env: env)
    }

    // MARK: Reading

    /// One page of members in join order, optionally filtered by role and by a
    /// search over name and email.
    public func list(
        _ access: WorkspaceAccess, role: String?, search: String?, limit: PageSize, cursor: String?, on db: any Database
    ) async throws -> Page<MemberView> {
        var filterRole: String?
        if let role {
            guard let parsed = Role(rawValue: role) else {
                throw DomainError.invalid("role", "unknown role '\(role.prefix(40))'; expected one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filterRole = parsed.rawValue
        }
        var pattern: String?
        if let search = search?.trimmingWhitespace().lowercased(), !search.isEmpty {
            pattern = "%" + search.filter { $0 != "%" && $0 != "_" } + "%"
        }
        let after = try cursor.map { text throws(DomainError) in try KeysetCursor(decoding: text) } ?? .beforeEveryone
        if !PeopleRules.seesEveryone(access.role) {
            return try await listSeen(access, role: filterRole, pattern: pattern, after: after, limit: limit, on: db)
        }
        // The version first (usually read with the caller's membership): the
        // page read after it is at least that new.
        let version: Int
        if let known = access.membersVersion {
            version = known
        } else {
            version = try await MemberListVersion.of(access.workspaceID, on: db)
        }
        let key = MemberPageCache.Key(workspaceID: access.workspaceID, role: filterRole, pattern: pattern, cursor: cursor, limit: limit.value)
        if let page = env.memberPages.page(for: key, at: version) { return page }
        let rows = try await filterRole == nil && pattern == nil
            ? db.all(MembersPage(workspaceID: access.workspaceID, after: after, limit: limit.value + 1), as: MemberRow.self)
            : db.all(
                FilteredMembersPage(workspaceID: access.workspaceID, after: after, limit: limit.value + 1, role: filterRole, pattern: pattern),
                as: MemberRow.self)
        let (pageRows, next) = KeysetCursor.page(rows, limit: limit.value, key: \.cursor)
        let page = Page(items: pageRows.map { $0.view() }, nextCursor: next, rendered: RenderedForm())
        env.memberPages.store(page, for: key, at: version)
        return page
    }

    /// A member's granted accounts as one comma list, as each engine spells it.
    static let postgresGrants = "string_agg(g.account_id::text, ',')"
    static let sqliteGrants = "group_concat(g.account_id, ',')"

    /// The Users page's hot path: one statement naming only the columns shown,
    /// each member's granted accounts as one comma list, decoded into a plain
    /// row (bench/NOTES.md has the profile). The first page starts after
    /// `KeysetCursor.beforeEveryone`, and the keyset is a row comparison, which
    /// both databases turn into a range of the page index.
    struct MembersPage: PreparedStatement {
        static let readsInline = true
        static let sql = membersPage(grants: MemberService.postgresGrants)
        static let sqliteSQL = membersPage(grants: MemberService.sqliteGrants)

        let workspaceID: UUID
        let after: KeysetCursor
        let limit: Int
        var values: [any PreparedValue] { [workspaceID, after.time, after.id, limit] }
    }

    /// The page filtered by role and/or search (an absent filter is NULL).
    /// Planned on each run: a plan kept for every value of `$5` and `$6` is
    /// mis-estimated (PostgreSQL took `x IS NULL OR …` for selective, and kept a
    /// hash join and sort of the whole workspace).
    private struct FilteredMembersPage: PreparedStatement {
        static let plannedEachTime = true
        static let sql = membersPage(grants: MemberService.postgresGrants, filters: roleAndSearchFilters)
        static let sqliteSQL = membersPage(grants: MemberService.sqliteGrants, filters: roleAndSearchFilters)

        let workspaceID: UUID
        let after: KeysetCursor
        let limit: Int
        let role: String?
        let pattern: String?
        var values: [any PreparedValue] { [workspaceID, after.time, after.id, limit, role, pattern] }
    }

    /// The members page's statement: `filters` are further conditions on the
    /// membership `m` and its user `u`.
    /// `from` names the memberships `m` (a join from a smaller set may stand before them).
    static func membersPage(grants: String, from: String = "\(MembershipModel.schema) m", filters: String = "") -> String {
        """
        SELECT m.id, m.user_id, u.email, u.name, m.role, m.permissions, m.allowed_platforms, m.counts_as_seat, m.joined_via, m.joined_at, m.access_until,
        (SELECT \(grants) FROM \(AccountGrantModel.schema) g WHERE g.membership_id = m.id) AS account_ids
        FROM \(from) JOIN \(UserModel.schema) u ON u.id = m.user_id
        WHERE m.workspace_id = $1 AND (m.joined_at, m.id) > ($2, $3)
        \(filters)
        ORDER BY m.joined_at, m.id LIMIT $4
        """
    }

    /// The role (`$5`) and search (`$6`) filters, each NULL when absent.
    static let roleAndSearchFilters = """
        AND (CAST($5 AS TEXT) IS NULL OR m.role = $5)
        AND (CAST($6 AS TEXT) IS NULL OR u.email LIKE $6 OR LOWER(u.name) LIKE $6)
        """

    /// One member, if the caller may see them (else 404, as for an id of
    /// another workspace).
    public func get(_ access: WorkspaceAccess, memberID: UUID, on db: any Database) async throws -> MemberView {
        let membership = try await find(memberID, in: access.workspaceID, on: db)
        let full = try await view(of: membership, on: db)
        guard let seen = try await PeopleInSight.of(access, on: db).view(of: full) else { throw DomainError.notFound("No such member.") }
        return seen
    }

    // MARK: Editing

    /// Changes role, permissions, platforms or account grants within the escalation
    /// rules; granting a seat is checked against the plan under the workspace lock.
    public func update(_ access: WorkspaceAccess, memberID: UUID, patch: MemberPatch, on db: any Database) async throws -> MemberView {
        try access.require(.manageMembers)
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            let member = try await find(memberID, in: access.workspaceID, on: tx)
            let before = try await snapshot(of: member, on: tx)
            let wasSeat = member.countsAsSeat
            try Self.apply(patch, role: try Self.role(in: patch), to: member, actor: access.role, now: env.clock.now)
            if !wasSeat && member.countsAsSeat {
                try await seats.requireRoom(for: 1, in: access.workspaceID, on: tx)
            }
            try await member.update(on: tx)
            if let ids = patch.accountIds {
                try await AccessGrants.replaceGrants(of: member, with: try await AccessGrants.validAccounts(ids, in: access.workspaceID, on: tx), on: tx)
            }
            let after = try await snapshot(of: member, on: tx)
            if before != after {
                try await audit.record(
                    AuditEntry(
                        workspaceID: access.workspaceID, action: "member.updated", targetType: "member",
                        targetID: member.id!.apiString, targetLabel: after["email"] ?? "", before: before, after: after),
                    by: access.actor, on: tx)
            }
            return try await view(of: member, on: tx)
        }
    }

    /// Makes an admin the owner; the old owner becomes an admin.
    public func transferOwnership(_ access: WorkspaceAccess, to memberID: UUID, on db: any Database) async throws -> MemberView {
        try await db.workspaceTransaction(access.workspaceID) { tx in
            let target = try await find(memberID, in: access.workspaceID, on: tx)
            try MembershipRules.checkTransfer(actor: access.role, target: target.role)
            guard let current = try await MembershipModel.find(access.membershipID, on: tx) else { throw DomainError.notFound() }
            current.role = .admin
            try await current.update(on: tx)
            target.role = .owner
            // The owner's access never ends.
            target.accessUntil = nil
            target.accessNoticeAt = nil
            try await target.update(on: tx)
            let targetView = try await view(of: target, on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "ownership.transferred", targetType: "member",
                    targetID: targetView.id, targetLabel: targetView.email ?? targetView.name,
                    before: ["owner": access.actor.name], after: ["owner": targetView.name]),
                by: access.actor, on: tx)
            return targetView
        }
    }

    /// The caller leaves the workspace. The owner cannot leave.
    public func leave(_ access: WorkspaceAccess, on db: any Database) async throws {
        try MembershipRules.checkLeave(role: access.role)
        try await db.workspaceTransaction(access.workspaceID) { tx in
            let member = try await find(access.membershipID, in: access.workspaceID, on: tx)
            try await removeRows(ids: [member.id!], userIDs: [member.userID], workspaceID: access.workspaceID, on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "member.left", targetType: "member",
                    targetID: member.id!.apiString, targetLabel: access.actor.name, before: ["role": member.role.rawValue]),
                by: access.actor, on: tx)
        }
    }

    // MARK: Helpers

    func find(_ memberID: UUID, in workspaceID: UUID, on db: any Database) async throws -> MembershipModel {
        guard let member = try await MembershipModel.query(on: db)
            .filter(\.$id == memberID).filter(\.$workspaceID == workspaceID).first()
        else { throw DomainError.notFound("No such member.") }
        return member
    }

    func view(of membership: MembershipModel, on db: any Database) async throws -> MemberView {
        guard let user = try await UserModel.find(membership.userID, on: db) else { throw DomainError.notFound() }
        let grants = try await AccessGrants.grants(of: [membership.id!], on: db)
        return MemberView(membership, user: user, accountIDs: grants[membership.id!] ?? [])
    }

    /// The audited fields of a member, for before/after.
    func snapshot(of membership: MembershipModel, on db: any Database) async throws -> [String: String] {
        guard let user = try await UserModel.find(membership.userID, on: db) else { throw DomainError.notFound() }
        let grants = try await AccessGrants.grants(of: [membership.id!], on: db)[membership.id!] ?? []
        return Self.audited(membership, grants: grants).merging(["email": user.email]) { $1 }
    }
}
