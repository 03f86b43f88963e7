import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import Foundation
import Hummingbird

/// The invite link's controls on the Users page, its join requests, and the
/// public join page `/join/{token}`.
public struct LinkPagesController: Sendable {
    let services: HTTPServices
    let team: TeamPagesController
    let web: WebController
    let links: InviteLinkService

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.team = TeamPagesController(services: services, pages: pages)
        self.web = WebController(services: services, pages: pages)
        self.links = InviteLinkService(env: services.env)
    }

    struct StatusForm: Decodable { var status: String?; var duration: String?; var date: String? }
    struct EditForm: Decodable {
        var permissions: [String]?
        var allowedPlatforms: [String]?
        var accountIds: [String]?
        var maxUses: String?
        var requireApproval: String?
        var accessDays: String?
    }
    struct JoinForm: Decodable { var mode: String?; var name: String?; var email: String?; var password: String? }

    public func register(on router: Router<AppRequestContext>) {
        router.post("w/:wid/link/status") { request, context in
            try await team.action(context, back: "users") { access, db in
                let form = try await WebController.form(StatusForm.self, request, context)
                let status = form.status ?? "enabled"
                var until: String?? = .some(nil)
                if let duration = form.duration, let seconds = Double(duration) {
                    until = .some(ISO8601DateFormatter().string(from: services.env.clock.now.addingTimeInterval(seconds)))
                } else if form.duration == "date" {
                    guard let date = form.date, !date.isEmpty else { throw DomainError.invalid("statusUntil", "pick a date") }
                    until = .some(date + "T00:00:00Z")
                }
                let link = try await links.update(access, InviteLinkPatch(status: status, statusUntil: until), on: db)
                return link.active ? "The client invite link is active." : "The client invite link is disabled."
            }
        }
        router.post("w/:wid/link/refresh") { _, context in
            try await team.action(context, back: "users") { access, db in
                _ = try await links.refresh(access, on: db)
                return "The link was refreshed; the old link no longer works."
            }
        }
        router.post("w/:wid/link/edit") { request, context in
            try await team.action(context, back: "users") { access, db in
                let form = try await WebController.form(EditForm.self, request, context)
                let maxText = form.maxUses?.trimmingWhitespace() ?? ""
                guard maxText.isEmpty || Int(maxText) != nil else { throw DomainError.invalid("maxUses", "must be a whole number") }
                let daysText = form.accessDays?.trimmingWhitespace() ?? ""
                guard daysText.isEmpty || Int(daysText) != nil else { throw DomainError.invalid("accessDays", "must be a whole number") }
                let patch = InviteLinkPatch(
                    permissions: form.permissions ?? [], allowedPlatforms: form.allowedPlatforms ?? [], accountIds: form.accountIds ?? [],
                    maxUses: .some(Int(maxText)), requireApproval: form.requireApproval == "true", accessDays: .some(Int(daysText)))
                _ = try await links.update(access, patch, on: db)
                return "Link saved. The changes apply to people who join from now on."
            }
        }
        router.post("w/:wid/join-requests/:rid/approve") { _, context in
            try await team.action(context, back: "users") { access, db in
                let member = try await JoinRequestService(env: services.env).approve(access, requestID: try parseID(context.parameters.get("rid")), on: db)
                return "\(member.name) joined as a client."
            }
        }
        router.post("w/:wid/join-requests/:rid/decline") { _, context in
            try await team.action(context, back: "users") { access, db in
                try await JoinRequestService(env: services.env).decline(access, requestID: try parseID(context.parameters.get("rid")), on: db)
                return "Request declined."
            }
        }
        router.get("join/:token") { request, context in
            try await joinPage(token: context.parameters.get("token") ?? "", request: request, context: context)
        }
        router.post("join/:token") { request, context in try await join(request, context) }
    }

    private func joinPage(token: String, request: Request, context: AppRequestContext, error: String? = nil, status: Int = 200) async throws -> Response {
        let preview = try await links.preview(token: token, ip: context.remoteAddress, on: services.db(context))
        struct Model { var page: PageChrome; var preview: JoinPreview; var token: String; var signedIn: Bool; var permissionsText: String; var platformsText: String }
        var chrome = try await web.chrome(context, title: "Join \(preview.workspace.name)", request: request)
        chrome.error = error
        return web.pages.render(
            "join",
            Model(
                page: chrome, preview: preview, token: token, signedIn: context.identity != nil,
                permissionsText: preview.permissions.map { TeamPagesController.label($0).lowercased() }.joined(separator: ", "),
                platformsText: preview.allowedPlatforms.map(\.rawValue).joined(separator: ", ")),
            status: .init(code: status))
    }

    /// Joins as the signed-in person, or signs up / logs in and joins in one step.
    private func join(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let form = try await WebController.form(JoinForm.self, request, context)
        let db = services.db(context)
        // An inactive or unknown link stops here, before any account is created.
        let preview = try await links.preview(token: token, ip: context.remoteAddress, on: db)
        var identity = context.identity
        var session: AuthResult?
        if identity == nil {
            do {
                (session, identity) = try await web.signUpOrLogIn(
                    mode: form.mode, email: form.email ?? "", password: form.password ?? "", name: form.name ?? "", from: context.signInOrigin, on: db)
            } catch let error as DomainError {
                return try await joinPage(token: token, request: request, context: context, error: WebController.message(error), status: error.status)
            }
        }
        guard let identity else { throw DomainError.unauthenticated() }
        let response: Response
        switch try await links.join(token: token, identity: identity, ip: context.remoteAddress, on: db) {
        case .joined(let member), .alreadyMember(let member):
            let workspaceID = try await services.workspaces.workspaceID(ofMember: try parseID(member.id), on: db)
            response = Response.redirect(
                to: "/w/\(workspaceID.apiString)?notice=" + TeamPagesController.encode("Welcome to \(preview.workspace.name)."), type: .normal)
        case .awaitingApproval:
            struct Waiting { var page: PageChrome; var workspaceName: String }
            response = web.pages.render("join_waiting", Waiting(page: try await web.chrome(context, title: "Waiting for approval"), workspaceName: preview.workspace.name), status: .accepted)
        }
        guard let session else { return response }
        var withCookie = response
        withCookie.setCookie(SessionCookie.make(token: session.token, expiresAt: session.expiresAt, secure: services.secureCookies))
        return withCookie
    }
}
