import FluentKit

/// Failed log-ins per email address (`LoginBrake`) and password reset tokens,
/// in the database so every Crew process brakes the same count.
struct CreateSignInGuards: AsyncMigration {
    var name: String { "0012_create_sign_in_guards" }

    func prepare(on database: any Database) async throws {
        try await database.schema(LoginGuardModel.schema)
            .id()
            .field("email", .string, .required)
            .field("failures", .int, .required)
            .field("locked_until", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await database.schema(PasswordResetModel.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PasswordResetModel.schema).delete()
        try await database.schema(LoginGuardModel.schema).delete()
    }
}
