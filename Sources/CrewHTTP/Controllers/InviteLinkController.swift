import CrewCore
import CrewServices
import Foundation
import Hummingbird

/// The client invite link (API.md): manage it, preview it, join through it, and
/// approve or decline joiners when it requires approval.
public struct InviteLinkController: Sendable {
    let services: HTTPServices
    let links: InviteLinkService
    let requests: JoinRequestService

    public init(services: HTTPServices) {
        self.services = services
        self.links = InviteLinkService(env: services.env)
        self.requests = JoinRequestService(env: services.env)
    }

    /// PATCH body; `statusUntil`, `maxUses` and `accessDays` distinguish "absent" from `null`.
    struct PatchBody: Decodable {
        var patch = InviteLinkPatch()

        enum Keys: String, CodingKey { case status, statusUntil, permissions, allowedPlatforms, accountIds, maxUses, requireApproval, accessDays }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            patch.status = try c.decodeIfPresent(String.self, forKey: .status)
            if c.contains(.statusUntil) { patch.statusUntil = .some(try c.decodeNil(forKey: .statusUntil) ? nil : try c.decode(String.self, forKey: .statusUntil)) }
            patch.permissions = try c.decodeIfPresent([String].self, forKey: .permissions)
            patch.allowedPlatforms = try c.decodeIfPresent([String].self, forKey: .allowedPlatforms)
            patch.accountIds = try c.decodeIfPresent([String].self, forKey: .accountIds)
            if c.contains(.maxUses) { patch.maxUses = .some(try c.decodeNil(forKey: .maxUses) ? nil : try c.decode(Int.self, forKey: .maxUses)) }
            patch.requireApproval = try c.decodeIfPresent(Bool.self, forKey: .requireApproval)
            if c.contains(.accessDays) { patch.accessDays = .some(try c.decodeNil(forKey: .accessDays) ? nil : try c.decode(Int.self, forKey: .accessDays)) }
        }
    }

    struct Awaiting: Encodable { var status = "awaiting_approval"; var requestId: String }

    public func register(on api: APIRouter) {
        api.get("workspaces/:wid/client-invite-link") { request, context in
            let access = try await services.access(context)
            // The link read with the session belongs to the route's workspace only
            // when the membership did (`services.access` checked that).
            let prefetched = context.callerMembership?.workspaceID == access.workspaceID ? context.workspaceLink : nil
            return try context.json(try await links.get(access, prefetched: prefetched, on: services.db(context)), request: request)
        }
        api.patch("workspaces/:wid/client-invite-link") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: PatchBody.self, context: context)
            return try context.json(try await links.update(access, body.patch, on: services.db(context)), request: request)
        }
        api.post("workspaces/:wid/client-invite-link/refresh") { request, context in
            let access = try await services.access(context)
            return try context.json(try await links.refresh(access, on: services.db(context)), request: request)
        }
        api.get("join/:token") { request, context in
            let token = context.parameters.get("token") ?? ""
            return try context.json(try await links.preview(token: token, ip: context.remoteAddress, on: services.db(context)), request: request)
        }
        api.post("join/:token") { request, context in
            let identity = try context.requireIdentity()
            let token = context.parameters.get("token") ?? ""
            switch try await links.join(token: token, identity: identity, ip: context.remoteAddress, on: services.db(context)) {
            case .joined(let member): return try context.json(member, status: .created, request: request)
            case .alreadyMember(let member): return try context.json(member, status: .ok, request: request)
            case .awaitingApproval(let id): return try context.json(Awaiting(requestId: id), status: .accepted, request: request)
            }
        }
        api.get("workspaces/:wid/join-requests") { _, context in
            let access = try await services.access(context)
            return ListPage(items: try await requests.listPending(access, on: services.db(context)))
        }
        api.post("workspaces/:wid/join-requests/:rid/approve") { request, context in
            let access = try await services.access(context)
            let member = try await requests.approve(access, requestID: try parseID(context.parameters.get("rid")), on: services.db(context))
            return try context.json(member, status: .created, request: request)
        }
        api.post("workspaces/:wid/join-requests/:rid/decline") { _, context in
            let access = try await services.access(context)
            try await requests.decline(access, requestID: try parseID(context.parameters.get("rid")), on: services.db(context))
            return HTTPResponse.Status.noContent
        }
    }
}
