import CrewCore
import CrewStore
import Foundation

/// The members list for callers who see only some people (managers, editors
/// and clients; `PeopleRules`). Not kept in `MemberPageCache`: its pages are
/// per viewer, and its version does not move with the grants that decide them.
extension MemberService {
    func listSeen(
        _ access: WorkspaceAccess, role: String?, pattern: String?, after: KeysetCursor, limit: PageSize, on db: any Database
    ) async throws -> Page<MemberView> {
        let sight = try await PeopleInSight.of(access, on: db)
        let rows: [MemberRow]
        if access.role == .client {
            rows = try await db.all(
                MembersSeenByClient(workspaceID: access.workspaceID, after: after, limit: limit.value + 1, role: role, pattern: pattern, viewer: access.membershipID),
                as: MemberRow.self)
        } else {
            rows = try await db.all(
                MembersSeenByTeam(workspaceID: access.workspaceID, after: after, limit: limit.value + 1, role: role, pattern: pattern, viewer: access.membershipID),
                as: MemberRow.self)
        }
        let (pageRows, next) = KeysetCursor.page(rows, limit: limit.value, key: \.cursor)
        // The statement selects whom the rule lets the viewer see; the rule
        // itself decides what of each is shown (and would drop a row it hides).
        let items = pageRows.compactMap { sight.view(of: $0.view()) }
        return Page(items: items, nextCursor: next)
    }

    /// The members a manager or editor (`$7`) sees: the team, and the clients
    /// granted an account the viewer is granted too.
    private struct MembersSeenByTeam: PreparedStatement {
        static let plannedEachTime = true
        static let sql = membersPage(grants: MemberService.postgresGrants, filters: seenFilters(by: .manager, search: roleAndSearchFilters))
        static let sqliteSQL = membersPage(grants: MemberService.sqliteGrants, filters: seenFilters(by: .manager, search: roleAndSearchFilters))

        let workspaceID: UUID
        let after: KeysetCursor
        let limit: Int
        let role: String?
        let pattern: String?
        let viewer: UUID
        var values: [any PreparedValue] { [workspaceID, after.time, after.id, limit, role, pattern, viewer] }
    }

    /// The members a client (`$7`) sees: themselves, owner and admins, and the
    /// managers and editors granted one of their accounts. A client searches
    /// names only (and their own email): a search over emails would let them
    /// test addresses they may not see. The few people a client sees are found
    /// first (by id, by `memberships_role_idx`, through their grants) and only
    /// they are sorted: walking the workspace in join order to filter it took
    /// 69 ms at 100,000 members (crew-bench, 2026-12-07). `CROSS JOIN` keeps
    /// that order on SQLite, whose planner otherwise walked the page index
    /// again and probed the set (274 ms); PostgreSQL plans it as a join.
    private struct MembersSeenByClient: PreparedStatement {
        static let plannedEachTime = true
        static let sql = membersPage(grants: MemberService.postgresGrants, from: seenByClient, filters: clientSearch)
        static let sqliteSQL = membersPage(grants: MemberService.sqliteGrants, from: seenByClient, filters: clientSearch)
        static let clientSearch = """
            AND m.id = seen.id
            AND (CAST($5 AS TEXT) IS NULL OR m.role = $5)
            AND (CAST($6 AS TEXT) IS NULL OR LOWER(u.name) LIKE $6 OR (m.id = $7 AND u.email LIKE $6))
            """
        /// The ids the client sees (`PeopleRules.reach(of: .client)`), joined to their memberships.
        static let seenByClient: String = {
            let reach = PeopleRules.reach(of: .client)
            let memberships = MembershipModel.schema, grants = AccountGrantModel.schema
            return """
                (SELECT v.id FROM \(memberships) v WHERE v.id = $7
                UNION SELECT o.id FROM \(memberships) o WHERE o.workspace_id = $1 AND o.role IN (\(roleList(reach.always)))
                UNION SELECT t.id FROM \(grants) mine JOIN \(grants) theirs ON theirs.account_id = mine.account_id
                    JOIN \(memberships) t ON t.id = theirs.membership_id
                    WHERE mine.membership_id = $7 AND t.role IN (\(roleList(reach.whenSharing)))) seen
                CROSS JOIN \(memberships) m
                """
        }()

        let workspaceID: UUID
        let after: KeysetCursor
        let limit: Int
        let role: String?
        let pattern: String?
        let viewer: UUID
        var values: [any PreparedValue] { [workspaceID, after.time, after.id, limit, role, pattern, viewer] }
    }

    /// The viewer `$7` themselves, the roles they always see, and the roles
    /// they see when sharing an account with them (`PeopleRules.reach`). The
    /// role names are the enum's own constants, never input.
    private static func seenFilters(by viewer: Role, search: String) -> String {
        let reach = PeopleRules.reach(of: viewer)
        return """
            \(search)
            AND (m.id = $7 OR m.role IN (\(roleList(reach.always))) OR (m.role IN (\(roleList(reach.whenSharing))) AND EXISTS (
                SELECT 1 FROM \(AccountGrantModel.schema) mine JOIN \(AccountGrantModel.schema) theirs ON theirs.account_id = mine.account_id
                WHERE mine.membership_id = $7 AND theirs.membership_id = m.id)))
            """
    }

    /// Roles as a SQL list; the names are the enum's own constants, never input.
    private static func roleList(_ roles: [Role]) -> String {
        roles.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}
