import FluentKit
import FluentSQL

/// Personal access tokens get a scope (read, or read and write), an optional
/// workspace they are limited to, and an optional expiry. Tokens made before
/// keep what they could do: read and write, every workspace, no expiry.
struct AddTokenScopes: AsyncMigration {
    var name: String { "0013_add_token_scopes" }

    func prepare(on database: any Database) async throws {
        // One column a statement: SQLite's ALTER TABLE adds one at a time.
        try await database.schema(APITokenModel.schema).field("scope", .string, .required, .sql(.default("read_write"))).update()
        try await database.schema(APITokenModel.schema).field("workspace_id", .uuid).update()
        try await database.schema(APITokenModel.schema).field("expires_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        for column in ["expires_at", "workspace_id", "scope"] {
            try await database.schema(APITokenModel.schema).deleteField(.string(column)).update()
        }
    }
}
