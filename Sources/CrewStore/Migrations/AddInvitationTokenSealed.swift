import FluentKit

/// Invitations keep their current token sealed, so the accept link can be
/// copied by hand when the mail could not be delivered.
struct AddInvitationTokenSealed: AsyncMigration {
    var name: String { "0006_add_invitation_token_sealed" }

    func prepare(on database: any Database) async throws {
        try await database.schema(InvitationModel.schema).field("token_sealed", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InvitationModel.schema).deleteField("token_sealed").update()
    }
}
