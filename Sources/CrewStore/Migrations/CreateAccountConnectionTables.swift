import FluentKit
import FluentSQL

/// Connecting social accounts for real: the platform's id of each account, its
/// sealed credentials and token expiry, and the pending OAuth attempts.
struct CreateAccountConnectionTables: AsyncMigration {
    var name: String { "0005_create_account_connections" }

    func prepare(on database: any Database) async throws {
        // One column per ALTER: SQLite adds a single column per statement.
        let columns: [(FieldKey, DatabaseSchema.DataType)] = [
            ("external_id", .string), ("credentials_sealed", .string), ("token_expires_at", .datetime),
            ("status_detail", .string), ("refresh_claimed_until", .datetime), ("updated_at", .datetime),
            ("disconnected_at", .datetime),
        ]
        for (name, type) in columns {
            try await database.schema(SocialAccountModel.schema).field(name, type).update()
        }
        try await database.schema(OAuthAttemptModel.schema)
            .id()
            .field("state_hash", .string, .required)
            .field("workspace_id", .uuid, .required, .references(WorkspaceModel.schema, .id))
            .field("membership_id", .uuid, .required)
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id))
            .field("platform", .string, .required)
            .field("verifier_sealed", .string, .required)
            .field("account_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "state_hash")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // The same profile is one account per workspace; reconnecting finds it again.
        try await sql.create(index: "social_accounts_external_idx").unique().on(SocialAccountModel.schema)
            .column("workspace_id").column("platform").column("external_id").run()
        // The accounts list pages by connection time within a workspace (keyset pagination).
        try await sql.create(index: "social_accounts_page_idx").on(SocialAccountModel.schema)
            .column("workspace_id").column("created_at").column("id").run()
        // The token refresher looks for connected accounts whose tokens expire soon.
        try await sql.create(index: "social_accounts_expiry_idx").on(SocialAccountModel.schema)
            .column("status").column("token_expires_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OAuthAttemptModel.schema).delete()
        if let sql = database as? any SQLDatabase {
            for index in ["social_accounts_external_idx", "social_accounts_page_idx", "social_accounts_expiry_idx"] {
                try await sql.drop(index: index).run()
            }
        }
        for name in ["external_id", "credentials_sealed", "token_expires_at", "status_detail", "refresh_claimed_until", "updated_at", "disconnected_at"] {
            try await database.schema(SocialAccountModel.schema).deleteField(FieldKey(stringLiteral: name)).update()
        }
    }
}
