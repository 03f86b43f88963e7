import CrewCore
import CrewServices
import Hummingbird

/// Creating and reading workspaces, and previewing a change's seats.
public struct WorkspacesController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    struct CreateBody: Decodable { var name: String; var plan: String }

    /// Exactly one proposed change.
    struct SeatPreviewBody: Decodable {
        struct Invitation: Decodable { var emails: [String]; var role: String; var permissions: [String]? }
        struct Member: Decodable { var memberId: String; var role: String?; var permissions: [String]? }
        struct Link: Decodable { var permissions: [String] }
        var invitation: Invitation?
        var member: Member?
        var link: Link?
        var plan: String?

        func change() throws(DomainError) -> SeatChange {
            switch (invitation, member, link, plan) {
            case (let invitation?, nil, nil, nil):
                return .invitation(emails: invitation.emails, role: invitation.role, permissions: invitation.permissions ?? [])
            case (nil, let member?, nil, nil):
                return .member(id: try parseID(member.memberId), role: member.role, permissions: member.permissions)
            case (nil, nil, let link?, nil):
                return .link(permissions: link.permissions)
            case (nil, nil, nil, let plan?):
                return .plan(plan)
            default:
                throw .invalid("body", "give exactly one of invitation, member, link or plan")
            }
        }
    }

    public func register(on api: APIRouter) {
        api.post("workspaces") { request, context in
            let identity = try context.requireIdentity()
            if identity.tokenWorkspace != nil { throw DomainError.forbidden("This access token is limited to one workspace.") }
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
        api.post("workspaces/:wid/seats/preview") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: SeatPreviewBody.self, context: context)
            let preview = try await SeatPreviewService(env: services.env).preview(access, try body.change(), on: services.db(context))
            return try context.json(preview, request: request)
        }
    }
}
