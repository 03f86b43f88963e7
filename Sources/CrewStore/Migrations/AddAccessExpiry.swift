import FluentKit
import FluentSQL

/// Access that ends by itself (`AccessExpiry`): an end on memberships (with
/// when its notice went out) and invitations, and the days of access the
/// invite link gives its joiners. Existing rows keep access without end.
struct AddAccessExpiry: AsyncMigration {
    var name: String { "0014_add_access_expiry" }

    /// What the members list shows of a membership, now with its end (the
    /// SQLite trigger of `CreateMemberListVersions` watches these columns).
    static let watchedMembershipColumns =
        "role, permissions, allowed_platforms, counts_as_seat, joined_via, joined_at, user_id, access_until"

    func prepare(on database: any Database) async throws {
        // One column a statement: SQLite's ALTER TABLE adds one at a time.
        try await database.schema(MembershipModel.schema).field("access_until", .datetime).update()
        try await database.schema(MembershipModel.schema).field("access_notice_at", .datetime).update()
        try await database.schema(InvitationModel.schema).field("access_until", .datetime).update()
        try await database.schema(InviteLinkModel.schema).field("access_days", .int).update()
        let sql = database as! any SQLDatabase
        // The sweeper's and the notice's lookups: only memberships with an end.
        try await sql.raw(
            "CREATE INDEX memberships_access_until ON \(unsafeRaw: MembershipModel.schema) (access_until) WHERE access_until IS NOT NULL"
        ).run()
        if !database.isPostgres {
            // PostgreSQL's statement trigger sees every update already.
            try await sql.raw("DROP TRIGGER memberships_member_list_update").run()
            try await CreateMemberListVersions.createSQLiteTrigger(
                on: MembershipModel.schema, after: "UPDATE OF \(Self.watchedMembershipColumns)", row: "NEW", in: sql)
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX IF EXISTS memberships_access_until").run()
        if !database.isPostgres {
            try await sql.raw("DROP TRIGGER memberships_member_list_update").run()
            try await CreateMemberListVersions.createSQLiteTrigger(
                on: MembershipModel.schema, after: "UPDATE OF role, permissions, allowed_platforms, counts_as_seat, joined_via, joined_at, user_id",
                row: "NEW", in: sql)
        }
        try await database.schema(InviteLinkModel.schema).deleteField("access_days").update()
        try await database.schema(InvitationModel.schema).deleteField("access_until").update()
        try await database.schema(MembershipModel.schema).deleteField("access_notice_at").update()
        try await database.schema(MembershipModel.schema).deleteField("access_until").update()
    }
}
