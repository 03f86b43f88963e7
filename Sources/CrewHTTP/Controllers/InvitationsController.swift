import CrewCore
import CrewServices
import Foundation
import Hummingbird

/// Email invitations: create (one or many), list, revoke, resend, accept.
public struct InvitationsController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    /// `email` for one person or `emails` for several, with the same access.
    struct CreateBody: Decodable {
        var email: String?
        var emails: [String]?
        var role: String
        var permissions: [String]?
        var allowedPlatforms: [String]?
        var accountIds: [String]?
        var accessUntil: Date?
    }
    struct AcceptBody: Decodable { var token: String }
    struct BulkBody: Decodable { var invitationIds: [String] }
    struct ResentAnswer: Encodable { var resent: [String] }
    struct RevokedAnswer: Encodable { var revoked: [String] }

    public func register(on api: APIRouter) {
        api.post("workspaces/:wid/invitations") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: CreateBody.self, context: context)
            guard (body.email == nil) != (body.emails == nil) else {
                throw DomainError.invalid("email", "send either email or emails")
            }
            let created = try await services.invitations.create(
                access,
                InvitationRequest(
                    emails: body.emails ?? [body.email ?? ""], role: body.role, permissions: body.permissions ?? [],
                    allowedPlatforms: body.allowedPlatforms ?? [], accountIds: body.accountIds ?? [], accessUntil: body.accessUntil),
                on: services.db(context))
            if body.email != nil, let single = created.first {
                return try context.json(single, status: .created, request: request)
            }
            return try context.json(ListPage(items: created), status: .created, request: request)
        }
        api.get("workspaces/:wid/invitations") { _, context in
            let access = try await services.access(context)
            return ListPage(items: try await services.invitations.listPending(access, on: services.db(context)))
        }
        api.delete("workspaces/:wid/invitations/:iid") { _, context in
            let access = try await services.access(context)
            try await services.invitations.revoke(access, invitationID: try parseID(context.parameters.get("iid")), on: services.db(context))
            return HTTPResponse.Status.noContent
        }
        api.post("workspaces/:wid/invitations/:iid/resend") { _, context in
            let access = try await services.access(context)
            return try await services.invitations.resend(access, invitationID: try parseID(context.parameters.get("iid")), on: services.db(context))
        }
        api.post("workspaces/:wid/invitations/bulk-resend") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: BulkBody.self, context: context)
            let resent = try await services.invitations.resendMany(access, ids: body.invitationIds, on: services.db(context))
            return try context.json(ResentAnswer(resent: resent), request: request)
        }
        api.post("workspaces/:wid/invitations/bulk-revoke") { request, context in
            let access = try await services.access(context)
            let body = try await request.decode(as: BulkBody.self, context: context)
            let revoked = try await services.invitations.revokeMany(access, ids: body.invitationIds, on: services.db(context))
            return try context.json(RevokedAnswer(revoked: revoked), request: request)
        }
        api.post("workspaces/:wid/invitations/import/preview") { request, context in
            let access = try await services.access(context)
            let csv = try await CSVBody.text(of: request, context: context)
            return try context.json(try await services.invitations.previewImport(access, csv: csv, on: services.db(context)), request: request)
        }
        api.post("workspaces/:wid/invitations/import") { request, context in
            let access = try await services.access(context)
            let csv = try await CSVBody.text(of: request, context: context)
            let done = try await services.invitations.importInvitations(access, csv: csv, on: services.db(context))
            return try context.json(done, status: .created, request: request)
        }
        api.post("invitations/accept") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decode(as: AcceptBody.self, context: context)
            let member = try await services.invitations.accept(
                token: body.token, identity: identity, ip: context.remoteAddress, on: services.db(context))
            return try context.json(member, status: .created, request: request)
        }
    }
}
