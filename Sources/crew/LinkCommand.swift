import ArgumentParser
import CrewApp
import CrewCore
import CrewServices
import CrewStore
import Foundation

/// `crew link show|enable|disable|refresh`: the client invite link of one
/// workspace, as its owner would change it (audit rows name the command line).
struct LinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Show or change a workspace's client invite link.",
        subcommands: [Show.self, Enable.self, Disable.self, Refresh.self])

    struct Target: ParsableArguments {
        @Option(help: "Workspace id.") var workspace: String
        @OptionGroup var databaseOptions: DatabaseOptions
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the link, its state and what joiners get.")
        @OptionGroup var target: Target

        func run() async throws {
            print(LinkCommand.describe(try await LinkCommand.change(target) { links, access, db in try await links.get(access, on: db) }))
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Turn the link on, until you change it or until a time.")
        @OptionGroup var target: Target
        @Option(help: "RFC 3339 time at which the link turns off by itself (e.g. 2026-12-31T00:00:00Z).") var until: String?

        func run() async throws {
            let until = self.until
            let view = try await LinkCommand.change(target) { links, access, db in
                try await links.update(access, InviteLinkPatch(status: "enabled", statusUntil: .some(until)), on: db)
            }
            print(LinkCommand.describe(view))
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Turn the link off now (the URL stays).")
        @OptionGroup var target: Target

        func run() async throws {
            let view = try await LinkCommand.change(target) { links, access, db in
                try await links.update(access, InviteLinkPatch(status: "disabled", statusUntil: .some(nil)), on: db)
            }
            print(LinkCommand.describe(view))
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give the link a new URL; the old one stops working at once.")
        @OptionGroup var target: Target

        func run() async throws {
            print(LinkCommand.describe(try await LinkCommand.change(target) { links, access, db in try await links.refresh(access, on: db) }))
        }
    }

    static func change(
        _ target: Target, _ body: @escaping @Sendable (InviteLinkService, WorkspaceAccess, any Database) async throws -> InviteLinkView
    ) async throws -> InviteLinkView {
        let workspace = target.workspace
        return try await reportingDomainErrors {
            try await withDatabase(target.databaseOptions.overrides) { components, db in
                let access = try await components.services.workspaces.operatorAccess(workspaceID: try parseID(workspace), on: db)
                return try await body(InviteLinkService(env: components.services.env), access, db)
            }
        }
    }

    static func describe(_ link: InviteLinkView) -> String {
        let until = link.statusUntil.map { " until \($0.formatted(.iso8601))" } ?? ""
        return """
            url: \(link.url)
            status: \(link.status.rawValue)\(until) (\(link.active ? "active now" : "not active now"))
            permissions: \(link.permissions.map(\.rawValue).joined(separator: ", ").orNone)
            platforms: \(link.allowedPlatforms.map(\.rawValue).joined(separator: ", ").orNone)
            accounts: \(link.accountIds.count)
            uses: \(link.uses)\(link.maxUses.map { " of \($0)" } ?? "")
            approval: \(link.requireApproval ? "owner approves each joiner" : "joiners get in at once")
            """
    }
}

extension String {
    var orNone: String { isEmpty ? "none" : self }
}
