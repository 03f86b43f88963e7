import CrewCore
import CrewServices
import Hummingbird

/// `GET audit-events`: the workspace's audit log with filters, for owners and admins.
public struct AuditController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    public func register(on api: APIRouter) {
        api.get("workspaces/:wid/audit-events") { request, context in
            let access = try await services.access(context)
            let query = request.uri.queryParameters
            let filter = AuditFilter(
                actorUserID: query["actor"].map(String.init), action: query["action"].map(String.init),
                targetID: query["target"].map(String.init), from: query["from"].map(String.init), to: query["to"].map(String.init))
            let page = try await services.audit.list(
                access, filter: filter, limit: try PageSize(query["limit"].map(String.init)),
                cursor: query["cursor"].map(String.init), on: services.db(context))
            return ListPage(items: page.items, nextCursor: page.nextCursor)
        }
    }
}
