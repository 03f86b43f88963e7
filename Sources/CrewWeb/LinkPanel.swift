import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import Foundation

/// The client invite link as the Users page dropdown shows it.
struct LinkPanel {
    typealias Option = TeamPagesController.Option

    var url: String
    var active: Bool
    var flipText: String?
    var uses: Int
    var maxUsesText: String
    var accessDaysText: String
    var requireApproval: Bool
    var seatsText: String
    var linkPermissions: [Option]
    var linkPlatforms: [Option]
    var linkAccounts: [Option]
    var hasAccounts: Bool

    static func load(
        _ access: WorkspaceAccess, services: HTTPServices, accounts: [SocialAccountList.Item], seats: Usage, on db: any Database
    ) async throws -> LinkPanel {
        let link = try await InviteLinkService(env: services.env).get(access, on: db)
        var flip: String?
        if let until = link.statusUntil {
            let next = link.status == .enabled ? "disabled" : "enabled"
            flip = "Becomes \(next) on \(TeamPagesController.dateText(until))"
        } else {
            flip = link.status == .enabled ? "Until you change it" : "Disabled until you change it"
        }
        return LinkPanel(
            url: link.url, active: link.active, flipText: flip, uses: link.uses, maxUsesText: link.maxUses.map(String.init) ?? "",
            accessDaysText: link.accessDays.map(String.init) ?? "",
            requireApproval: link.requireApproval, seatsText: WebController.usageText(seats),
            linkPermissions: ClientPermission.allCases.map {
                Option(value: $0.rawValue, label: TeamPagesController.label($0), selected: link.permissions.contains($0))
            },
            linkPlatforms: Platform.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: link.allowedPlatforms.contains($0)) },
            linkAccounts: accounts.map { Option(value: $0.id, label: "\($0.name) (\($0.platform))", selected: link.accountIds.contains($0.id)) },
            hasAccounts: !accounts.isEmpty)
    }
}
