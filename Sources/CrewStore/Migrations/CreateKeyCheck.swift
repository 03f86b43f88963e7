import FluentKit

/// One row sealed with the installation's key when the database is first
/// used, so a process started with another `CREW_SECRET_KEY` is refused
/// instead of writing secrets nobody else can open.
struct CreateKeyCheck: AsyncMigration {
    var name: String { "0007_create_key_check" }

    func prepare(on database: any Database) async throws {
        try await database.schema(KeyCheckModel.schema)
            .id()
            .field("sealed", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(KeyCheckModel.schema).delete()
    }
}
