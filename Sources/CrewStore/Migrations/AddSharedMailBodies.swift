import FluentKit

/// A mail to many people stores its bodies once: a bulk removal's 1,000
/// notices wrote 2.3 MB of identical sealed text, and on SQLite every byte is
/// synced at the commit the removal waits for (bench/NOTES.md §25).
struct AddSharedMailBodies: AsyncMigration {
    var name: String { "0010_add_shared_mail_bodies" }

    func prepare(on database: any Database) async throws {
        try await database.schema(MailBodyModel.schema)
            .id()
            .field("text_body", .string, .required)
            .field("html_body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(OutboxMessageModel.schema).field("body_id", .uuid, .references(MailBodyModel.schema, .id)).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutboxMessageModel.schema).deleteField("body_id").update()
        try await database.schema(MailBodyModel.schema).delete()
    }
}
