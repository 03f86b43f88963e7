import FluentKit
import FluentSQL

/// Members by role within a workspace, in join order: the role filter of the
/// members page, and the owner and admins every client sees. Without it a
/// client's members page at 100,000 members read every membership to find
/// the few it shows (69 ms p50 on SQLite, crew-bench of 2026-12-07).
struct AddMembershipRoleIndex: AsyncMigration {
    var name: String { "0015_add_membership_role_index" }

    func prepare(on database: any Database) async throws {
        try await (database as! any SQLDatabase).create(index: "memberships_role_idx").on(MembershipModel.schema)
            .column("workspace_id").column("role").column("joined_at").column("id").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "memberships_role_idx").run()
    }
}
