import FluentKit
import FluentSQL

/// Social accounts (rows only; connecting them is the accounts feature), account
/// grants, email invitations and the mail outbox, plus the indexes the member
/// list needs at scale.
struct CreateTeamTables: AsyncMigration {
    var name: String { "0003_create_team" }

    func prepare(on database: any Database) async throws {
        try await database.schema(SocialAccountModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("platform", .string, .required)
            .field("name", .string, .required)
            .field("status", .string, .required)
            .field("connected_by_user_id", .uuid, .references(UserModel.schema, .id))
            .field("created_at", .datetime, .required)
            .create()

        try await database.schema(AccountGrantModel.schema)
            .id()
            .field("membership_id", .uuid, .required, .references(MembershipModel.schema, .id, onDelete: .cascade))
            .field("account_id", .uuid, .required, .references(SocialAccountModel.schema, .id))
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .unique(on: "membership_id", "account_id")
            .create()

        try await database.schema(InvitationModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("permissions", .string, .required)
            .field("allowed_platforms", .string, .required)
            .field("account_ids", .string, .required)
            .field("counts_as_seat", .bool, .required)
            .field("token_hash", .string, .required)
            .field("state", .string, .required)
            .field("invited_by_user_id", .uuid)
            .field("invited_by_name", .string, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("closed_at", .datetime)
            .unique(on: "token_hash")
            .create()

        try await database.schema(OutboxMessageModel.schema)
            .id()
            .field("workspace_id", .uuid)
            .field("kind", .string, .required)
            .field("to_address", .string, .required)
            .field("subject", .string, .required)
            .field("text_body", .string, .required)
            .field("html_body", .string, .required)
            .field("invitation_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("sent_at", .datetime)
            .field("failed_at", .datetime)
            .field("last_error", .string)
            .create()

        let sql = database as! any SQLDatabase
        try await sql.create(index: "social_accounts_workspace_idx").on(SocialAccountModel.schema).column("workspace_id").run()
        try await sql.create(index: "account_grants_account_idx").on(AccountGrantModel.schema).column("account_id").run()
        try await sql.create(index: "invitations_workspace_state_idx").on(InvitationModel.schema)
            .column("workspace_id").column("state").column("email").run()
        try await sql.create(index: "outbox_due_idx").on(OutboxMessageModel.schema).column("sent_at").column("next_attempt_at").run()
        // The members page pages by join time within a workspace (keyset pagination).
        try await sql.create(index: "memberships_page_idx").on(MembershipModel.schema)
            .column("workspace_id").column("joined_at").column("id").run()
        try await sql.create(index: "audit_events_workspace_action_idx").on(AuditEventModel.schema)
            .column("workspace_id").column("action").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [OutboxMessageModel.schema, InvitationModel.schema, AccountGrantModel.schema, SocialAccountModel.schema] {
            try await database.schema(schema).delete()
        }
    }
}
