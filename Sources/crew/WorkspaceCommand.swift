import ArgumentParser
import CrewApp
import CrewCore
import CrewServices
import CrewStore
import Foundation

struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Manage workspaces.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace owned by an existing account.")

        @Option(help: "Email of the owner's account.") var owner: String
        @Option(help: "Plan id (free, professional, small_team, agency, agency_plus, custom, or one set by CREW_PLAN_*).")
        var plan: String = "agency"
        @Option(help: "Workspace name.") var name: String
        @OptionGroup var databaseOptions: DatabaseOptions

        func run() async throws {
            let owner = self.owner, plan = self.plan, name = self.name
            let workspace = try await reportingDomainErrors {
                try await withDatabase(databaseOptions.overrides) { components, db in
                    let email = try EmailAddress(owner, field: "owner")
                    guard let user = try await UserModel.query(on: db).filter(\.$email == email.value).first() else {
                        throw DomainError.notFound("No account with email \(email.value); create it with `crew user create`.")
                    }
                    return try await WorkspaceService(env: components.services.env).create(
                        name: name, plan: plan, ownerID: try user.requireID(), actor: .commandLine, on: db)
                }
            }
            print("created workspace \(workspace.name) (\(workspace.id)) on plan \(workspace.plan)")
        }
    }
}
