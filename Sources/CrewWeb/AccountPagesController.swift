import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import Foundation
import Hummingbird

/// The Social accounts page: connected accounts, *Connect account* with the
/// platforms the person may use, reconnect and disconnect; and the OAuth
/// callback every platform sends people back to.
public struct AccountPagesController: Sendable {
    let services: HTTPServices
    let team: TeamPagesController
    let web: WebController

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.team = TeamPagesController(services: services, pages: pages)
        self.web = WebController(services: services, pages: pages)
    }

    struct ConnectForm: Decodable { var platform: String? }

    public func register(on router: Router<AppRequestContext>) {
        let accounts = services.socialAccounts
        router.get("w/:wid/accounts") { request, context in try await accountsPage(request, context) }
        router.post("w/:wid/accounts/connect") { request, context in
            try await toPlatform(context) { access, db in
                let form = try await WebController.form(ConnectForm.self, request, context)
                return try await accounts.startConnect(access, platform: form.platform ?? "", on: db)
            }
        }
        router.post("w/:wid/accounts/:aid/reconnect") { _, context in
            try await toPlatform(context) { access, db in
                let account = try await accounts.get(access, accountID: try parseID(context.parameters.get("aid")), on: db)
                return try await accounts.startConnect(access, platform: account.platform, accountID: try parseID(account.id), on: db)
            }
        }
        router.post("w/:wid/accounts/:aid/disconnect") { _, context in
            try await team.action(context, back: "accounts") { access, db in
                let id = try parseID(context.parameters.get("aid"))
                let account = try await accounts.get(access, accountID: id, on: db)
                try await accounts.disconnect(access, accountID: id, on: db)
                return "\(account.name) was disconnected. Its posts and analytics are kept."
            }
        }
        router.get("oauth/callback/:platform") { request, context in
            // The person who started must finish, signed in: otherwise someone could
            // send their authorize link to a victim and connect the victim's profile
            // into their own workspace.
            guard context.identity != nil else {
                let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return Response.redirect(to: "/login?next=" + TeamPagesController.encode(back), type: .normal)
            }
            let query = request.uri.queryParameters
            let callback = SocialAccountService.Callback(
                platform: context.parameters.get("platform") ?? "", state: query["state"].map(String.init),
                code: query["code"].map(String.init), error: query["error"].map(String.init))
            do {
                let result = try await accounts.finishConnect(
                    callback, userID: try context.requireIdentity().userID, ip: context.remoteAddress, on: services.db(context))
                let key = result.denied ? "error" : "notice"
                return Response.redirect(to: "/w/\(result.workspaceID.apiString)/accounts?\(key)=" + TeamPagesController.encode(result.summary), type: .normal)
            } catch let failure as SocialAccountService.ConnectionFailed {
                let message = "Nothing was connected. " + WebController.message(failure.error)
                return Response.redirect(to: "/w/\(failure.workspaceID.apiString)/accounts?error=" + TeamPagesController.encode(message), type: .normal)
            }
        }
    }

    /// Starts an authorization and sends the browser to the platform; a refusal
    /// comes back to the accounts page as a message.
    private func toPlatform(
        _ context: AppRequestContext, _ start: (WorkspaceAccess, any Database) async throws -> AuthorizationStart
    ) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        do {
            return Response.redirect(to: try await start(access, services.db(context)).authorizeUrl, type: .normal)
        } catch let error as DomainError {
            return Response.redirect(
                to: "/w/\(access.workspaceID.apiString)/accounts?error=" + TeamPagesController.encode(WebController.message(error)), type: .normal)
        }
    }

    private func accountsPage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let access = try await services.access(context)
        let db = services.db(context)
        let accounts = services.socialAccounts
        let page = try await accounts.list(
            access, status: nil, limit: try PageSize("200"), cursor: request.uri.queryParameters["cursor"].map(String.init), on: db)
        let workspace = try await services.workspaces.get(access.workspaceID, on: db)
        let wid = access.workspaceID.apiString
        let chrome = try await web.chrome(context, title: "Social accounts", currentWorkspace: wid, request: request)
        let mayRemove = Policy.decide(access.facts, .removeAccounts, accountAssigned: true).isAllowed
        let options = accounts.platforms(access).filter(\.allowed)
        struct Row {
            var id, name, platform, statusLabel, statusClass, connectedByName, workspaceID, csrf: String
            var statusDetail: String?
            var reconnectable, removable: Bool
        }
        struct PlatformChoice { var value, label: String; var disabled: Bool }
        struct Model {
            var page: PageChrome
            var workspaceID, usageText: String
            var accounts: [Row]
            var hasAccounts, canConnect, seesAll: Bool
            var platforms: [PlatformChoice]
            var unavailableText: String?
            var nextCursor: String?
        }
        let rows = page.items.map { account in
            Row(
                id: account.id, name: account.name, platform: account.platform,
                statusLabel: account.status.replacingOccurrences(of: "_", with: " ").capitalized,
                statusClass: account.status == AccountStatus.connected.rawValue ? "ok" : "off",
                connectedByName: account.connectedBy?.name ?? "—", workspaceID: wid, csrf: chrome.csrf, statusDetail: account.statusDetail,
                reconnectable: account.status != AccountStatus.connected.rawValue && access.mayConnectFrom(account.platform),
                removable: mayRemove)
        }
        let unavailable = options.filter { !$0.available }.map(\.platform)
        return web.pages.render(
            "accounts",
            Model(
                page: chrome, workspaceID: wid, usageText: WebController.usageText(workspace.accounts), accounts: rows,
                hasAccounts: !rows.isEmpty, canConnect: options.contains(where: \.available), seesAll: access.role == .owner || access.role == .admin,
                platforms: options.map { PlatformChoice(value: $0.platform, label: $0.available ? $0.platform : "\($0.platform) (not configured)", disabled: !$0.available) },
                unavailableText: unavailable.isEmpty ? nil : unavailable.joined(separator: ", "), nextCursor: page.nextCursor))
    }
}
