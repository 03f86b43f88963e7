import ArgumentParser
import CrewApp
import CrewCore
import CrewServices
import CrewStore
import Foundation

/// `crew member list|remove`: the members of one workspace, as its owner sees
/// and removes them (removal keeps posts, accounts and audit history).
struct MemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "List or remove a workspace's members.", subcommands: [List.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every member, one a line: id, role, seat, email, name, access end (until DAY, ended, or -).")
        @Option(help: "Workspace id.") var workspace: String
        @Option(help: "Only this role (owner, admin, manager, editor, client).") var role: String?
        @Option(help: "Only names or emails containing this.") var search: String?
        @OptionGroup var databaseOptions: DatabaseOptions

        func run() async throws {
            let workspace = self.workspace, role = self.role, search = self.search
            try await reportingDomainErrors {
                try await withDatabase(databaseOptions.overrides) { components, db in
                    let access = try await components.services.workspaces.operatorAccess(workspaceID: try parseID(workspace), on: db)
                    var cursor: String?
                    repeat {
                        let page = try await components.services.members.list(
                            access, role: role, search: search, limit: try PageSize("200"), cursor: cursor, on: db)
                        for member in page.items {
                            let seat = member.countsAsSeat == true ? "seat" : "-"
                            let end = AccessEndField.statusText(member.accessUntil, now: components.services.env.clock.now)
                            print([member.id, member.role.rawValue, seat, member.email ?? "", member.name, end.isEmpty ? "-" : end].joined(separator: "\t"))
                        }
                        cursor = page.nextCursor
                    } while cursor != nil
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a member (by id or email); their posts, accounts and audit history stay.")
        @Option(help: "Workspace id.") var workspace: String
        @Option(help: "Member id (from `crew member list`).") var member: String?
        @Option(help: "The member's email, instead of the id.") var email: String?
        @OptionGroup var databaseOptions: DatabaseOptions

        func validate() throws {
            guard (member == nil) != (email == nil) else { throw ValidationError("give either --member or --email") }
        }

        func run() async throws {
            let workspace = self.workspace, member = self.member, email = self.email
            let removed = try await reportingDomainErrors {
                try await withDatabase(databaseOptions.overrides) { components, db in
                    let workspaceID = try parseID(workspace)
                    let access = try await components.services.workspaces.operatorAccess(workspaceID: workspaceID, on: db)
                    let memberID: UUID
                    if let member {
                        memberID = try parseID(member)
                    } else {
                        memberID = try await MemberCommand.memberID(email: email ?? "", in: workspaceID, on: db)
                    }
                    let view = try await components.services.members.get(access, memberID: memberID, on: db)
                    try await components.services.members.remove(access, memberID: memberID, on: db)
                    return view
                }
            }
            print("removed \(removed.name) (\(removed.email ?? removed.id)), \(removed.role.rawValue)")
        }
    }

    static func memberID(email: String, in workspaceID: UUID, on db: any Database) async throws -> UUID {
        let address = try EmailAddress(email)
        guard let user = try await UserModel.query(on: db).filter(\.$email == address.value).first(),
            let membership = try await MembershipModel.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$userID == user.id!).first()
        else { throw DomainError.notFound("\(address.value) is not a member of this workspace.") }
        return membership.id!
    }
}
