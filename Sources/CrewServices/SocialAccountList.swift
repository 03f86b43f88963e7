import CrewCore
import CrewStore
import Foundation

/// The workspace's social accounts as pickers show them (grants in invitations
/// and member edits).
public enum SocialAccountList {
    public struct Item: Sendable {
        public var id: String
        public var name: String
        public var platform: String
    }

    public static func all(in workspaceID: UUID, on db: any Database) async throws -> [Item] {
        try await SocialAccountModel.query(on: db).filter(\.$workspaceID == workspaceID).sort(\.$name).all()
            .map { Item(id: $0.id!.apiString, name: $0.name, platform: $0.platform) }
    }
}
