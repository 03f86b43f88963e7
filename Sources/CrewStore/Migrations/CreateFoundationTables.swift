import FluentKit
import FluentSQL

/// Users, sessions, personal access tokens.
struct CreatePeopleTables: AsyncMigration {
    var name: String { "0001_create_people" }

    func prepare(on database: any Database) async throws {
        try await database.schema(UserModel.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()

        try await database.schema(SessionModel.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()

        try await database.schema(APITokenModel.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()

        let sql = database as! any SQLDatabase
        try await sql.create(index: "sessions_user_idx").on(SessionModel.schema).column("user_id").run()
        try await sql.create(index: "api_tokens_user_idx").on(APITokenModel.schema).column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APITokenModel.schema).delete()
        try await database.schema(SessionModel.schema).delete()
        try await database.schema(UserModel.schema).delete()
    }
}

/// Workspaces, memberships and the audit log.
struct CreateWorkspaceTables: AsyncMigration {
    var name: String { "0002_create_workspaces" }

    func prepare(on database: any Database) async throws {
        try await database.schema(WorkspaceModel.schema)
            .id()
            .field("name", .string, .required)
            .field("plan", .string, .required)
            .field("created_at", .datetime, .required)
            .create()

        try await database.schema(MembershipModel.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id))
            .field("role", .string, .required)
            .field("permissions", .string, .required)
            .field("allowed_platforms", .string, .required)
            .field("counts_as_seat", .bool, .required)
            .field("joined_via", .string, .required)
            .field("joined_at", .datetime, .required)
            .unique(on: "workspace_id", "user_id")
            .create()

        try await database.schema(AuditEventModel.schema)
            .id()
            .field("workspace_id", .uuid)
            .field("actor_user_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("target_type", .string, .required)
            .field("target_id", .string)
            .field("target_label", .string, .required)
            .field("before_json", .string)
            .field("after_json", .string)
            .field("ip", .string)
            .field("batch_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()

        let sql = database as! any SQLDatabase
        try await sql.create(index: "memberships_user_idx").on(MembershipModel.schema).column("user_id").run()
        try await sql.create(index: "memberships_seat_idx").on(MembershipModel.schema)
            .column("workspace_id").column("counts_as_seat").run()
        try await sql.create(index: "audit_events_workspace_time_idx").on(AuditEventModel.schema)
            .column("workspace_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEventModel.schema).delete()
        try await database.schema(MembershipModel.schema).delete()
        try await database.schema(WorkspaceModel.schema).delete()
    }
}
