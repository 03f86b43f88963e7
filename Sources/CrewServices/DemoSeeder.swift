import CrewCore
import CrewStore
import Foundation

/// Seeds a usable demo: an owner account with a workspace on the agency plan.
/// Running it again changes nothing.
public struct DemoSeeder: Sendable {
    public static let ownerEmail = "owner@demo.crew.test"
    public static let ownerPassword = "crew-demo-password"
    public static let workspaceName = "Northwind Social (demo)"

    let accounts: AccountService
    let workspaces: WorkspaceService

    public init(env: CrewEnvironment) {
        self.accounts = AccountService(env: env)
        self.workspaces = WorkspaceService(env: env)
    }

    /// - Returns: whether anything was created.
    @discardableResult
    public func seed(on db: any Database) async throws -> Bool {
        if try await UserModel.query(on: db).filter(\.$email == Self.ownerEmail).first() != nil {
            return false
        }
        let owner = try await accounts.createUser(email: Self.ownerEmail, password: Self.ownerPassword, name: "Dana Owner", on: db)
        _ = try await workspaces.create(
            name: Self.workspaceName, plan: "agency", ownerID: try parseID(owner.id), actor: .commandLine, on: db)
        return true
    }
}
