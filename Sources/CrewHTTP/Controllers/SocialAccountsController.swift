import CrewCore
import CrewServices
import Hummingbird

/// Social accounts (API.md): list, connect (OAuth start), reconnect, disconnect.
/// The OAuth callback is a browser page (`AccountPagesController`).
public struct SocialAccountsController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    struct ConnectBody: Decodable {
        var platform: String
    }

    public func register(on api: APIRouter) {
        let accounts = services.socialAccounts
        api.get("workspaces/:wid/accounts") { request, context in
            let access = try await services.access(context)
            let query = request.uri.queryParameters
            let page = try await accounts.list(
                access, status: query["status"].map(String.init), limit: try PageSize(query["limit"].map(String.init)),
                cursor: query["cursor"].map(String.init), on: services.db(context))
            return ListPage(items: page.items, nextCursor: page.nextCursor)
        }
        api.get("workspaces/:wid/accounts/platforms") { _, context in
            let access = try await services.access(context)
            return ListPage(items: accounts.platforms(access))
        }
        api.post("workspaces/:wid/accounts/connect") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: ConnectBody.self, context: context)
            return try context.json(try await accounts.startConnect(access, platform: body.platform, on: services.db(context)), request: request)
        }
        api.get("workspaces/:wid/accounts/:aid") { request, context in
            let access = try await services.access(context)
            let account = try await accounts.get(access, accountID: try parseID(context.parameters.get("aid")), on: services.db(context))
            return try context.json(account, request: request)
        }
        api.post("workspaces/:wid/accounts/:aid/reconnect") { request, context in
            let access = try await services.access(context)
            let db = services.db(context)
            let account = try await accounts.get(access, accountID: try parseID(context.parameters.get("aid")), on: db)
            let start = try await accounts.startConnect(access, platform: account.platform, accountID: try parseID(account.id), on: db)
            return try context.json(start, request: request)
        }
        api.delete("workspaces/:wid/accounts/:aid") { _, context in
            let access = try await services.access(context)
            try await accounts.disconnect(access, accountID: try parseID(context.parameters.get("aid")), on: services.db(context))
            return HTTPResponse.Status.noContent
        }
    }
}
