import CrewCore
import CrewServices
import Hummingbird

/// Creating and reading workspaces.
public struct WorkspacesController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    struct CreateBody: Decodable { var name: String; var plan: String }

    public func register(on api: APIRouter) {
        api.post("workspaces") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decode(as: CreateBody.self, context: context)
            let workspace = try await services.workspaces.create(
                name: body.name, plan: body.plan, ownerID: identity.userID, actor: context.actor, on: services.db(context))
            return try context.json(workspace, status: .created, request: request)
        }
        api.get("workspaces/:wid") { _, context in
            // Members only (others get 404), as every workspace route.
            let access = try await services.access(context)
            return try await services.workspaces.get(access.workspaceID, on: services.db(context))
        }
    }
}
