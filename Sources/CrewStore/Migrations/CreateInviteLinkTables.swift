import FluentKit
import FluentSQL

/// The client invite link, retired tokens, join requests and shared rate limits.
struct CreateInviteLinkTables: AsyncMigration {
    var name: String { "0004_create_invite_link" }

    func prepare(on database: any Database) async throws {
        try await database.schema(InviteLinkModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("token_hash", .string, .required)
            .field("token_sealed", .string, .required)
            .field("status", .string, .required)
            .field("status_until", .datetime)
            .field("permissions", .string, .required)
            .field("allowed_platforms", .string, .required)
            .field("account_ids", .string, .required)
            .field("max_uses", .int)
            .field("uses", .int, .required)
            .field("require_approval", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "workspace_id")
            .unique(on: "token_hash")
            .create()
        try await database.schema(RetiredLinkTokenModel.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("retired_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.schema(JoinRequestModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id))
            .field("permissions", .string, .required)
            .field("allowed_platforms", .string, .required)
            .field("account_ids", .string, .required)
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("decided_at", .datetime)
            .create()
        try await database.schema(RateLimitModel.schema)
            .id()
            .field("bucket", .string, .required)
            .field("window_start", .datetime, .required)
            .field("count", .int, .required)
            .unique(on: "bucket", "window_start")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "join_requests_workspace_state_idx").on(JoinRequestModel.schema)
            .column("workspace_id").column("state").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [RateLimitModel.schema, JoinRequestModel.schema, RetiredLinkTokenModel.schema, InviteLinkModel.schema] {
            try await database.schema(schema).delete()
        }
    }
}
