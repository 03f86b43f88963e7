import FluentKit
import FluentSQL

/// What clients are given access to: posts (with comments), inbox
/// conversations (with messages), daily account metrics; the workspace's
/// approval settings; and when each account was last synced.
struct CreateContentTables: AsyncMigration {
    var name: String { "0008_create_posts_inbox_analytics" }

    func prepare(on database: any Database) async throws {
        for (name, type) in [("client_posts_need_approval", DatabaseSchema.DataType.bool), ("unapproved_post_policy", .string)] {
            try await database.schema(WorkspaceModel.schema).field(FieldKey(stringLiteral: name), type).update()
        }
        for name in ["inbox_synced_at", "metrics_synced_at", "sync_claimed_until"] {
            try await database.schema(SocialAccountModel.schema).field(FieldKey(stringLiteral: name), .datetime).update()
        }
        try await createPosts(on: database)
        try await createInbox(on: database)
        try await database.schema(AccountMetricModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("account_id", .uuid, .required, .references(SocialAccountModel.schema, .id))
            .field("day", .string, .required)
            .field("followers", .int, .required)
            .field("impressions", .int, .required)
            .field("engagements", .int, .required)
            .field("clicks", .int, .required)
            .field("posts_published", .int, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "account_id", "day")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // Calendar and list: a workspace's posts by time; a member's by account.
        try await sql.create(index: "posts_workspace_time_idx").on(PostModel.schema).column("workspace_id").column("sort_at").column("id").run()
        try await sql.create(index: "posts_account_time_idx").on(PostModel.schema).column("account_id").column("sort_at").column("id").run()
        // The scheduler looks for posts whose next step is due.
        try await sql.create(index: "posts_due_idx").on(PostModel.schema).column("status").column("next_attempt_at").run()
        try await sql.create(index: "post_comments_post_idx").on(PostCommentModel.schema).column("post_id").column("created_at").run()
        try await sql.create(index: "conversations_workspace_time_idx").on(ConversationModel.schema)
            .column("workspace_id").column("last_message_at").column("id").run()
        try await sql.create(index: "conversations_account_time_idx").on(ConversationModel.schema)
            .column("account_id").column("last_message_at").column("id").run()
        try await sql.create(index: "conversation_messages_time_idx").on(ConversationMessageModel.schema)
            .column("conversation_id").column("sent_at").run()
    }

    private func createPosts(on database: any Database) async throws {
        try await database.schema(PostModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("account_id", .uuid, .required, .references(SocialAccountModel.schema, .id))
            .field("batch_id", .uuid, .required)
            .field("author_user_id", .uuid, .required, .references(UserModel.schema, .id))
            .field("text", .string, .required)
            .field("link", .string)
            .field("media_urls", .string, .required)
            .field("status", .string, .required)
            .field("scheduled_at", .datetime)
            .field("time_zone", .string, .required)
            .field("sort_at", .datetime, .required)
            .field("next_attempt_at", .datetime)
            .field("attempts", .int, .required)
            .field("approved_by_user_id", .uuid)
            .field("approved_at", .datetime)
            .field("client_approved_by_user_id", .uuid)
            .field("client_approved_at", .datetime)
            .field("published_at", .datetime)
            .field("external_id", .string)
            .field("external_url", .string)
            .field("failure_detail", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(PostCommentModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("post_id", .uuid, .required, .references(PostModel.schema, .id))
            .field("author_user_id", .uuid, .required, .references(UserModel.schema, .id))
            .field("author_name", .string, .required)
            .field("text", .string, .required)
            .field("internal", .bool, .required)
            .field("kind", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    private func createInbox(on database: any Database) async throws {
        try await database.schema(ConversationModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("account_id", .uuid, .required, .references(SocialAccountModel.schema, .id))
            .field("external_id", .string, .required)
            .field("participant", .string, .required)
            .field("status", .string, .required)
            .field("assigned_membership_id", .uuid)
            .field("unread", .bool, .required)
            .field("last_message_at", .datetime, .required)
            .field("last_message_preview", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "account_id", "external_id")
            .create()
        try await database.schema(ConversationMessageModel.schema)
            .id()
            .field("conversation_id", .uuid, .required, .references(ConversationModel.schema, .id))
            .field("external_id", .string, .required)
            .field("author", .string, .required)
            .field("from_profile", .bool, .required)
            .field("text", .string, .required)
            .field("sent_at", .datetime, .required)
            .field("sent_by_user_id", .uuid)
            .unique(on: "conversation_id", "external_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [ConversationMessageModel.schema, ConversationModel.schema, PostCommentModel.schema, PostModel.schema, AccountMetricModel.schema] {
            try await database.schema(schema).delete()
        }
        for name in ["inbox_synced_at", "metrics_synced_at", "sync_claimed_until"] {
            try await database.schema(SocialAccountModel.schema).deleteField(FieldKey(stringLiteral: name)).update()
        }
        for name in ["client_posts_need_approval", "unapproved_post_policy"] {
            try await database.schema(WorkspaceModel.schema).deleteField(FieldKey(stringLiteral: name)).update()
        }
    }
}
