import CrewCore
import CrewHTTP
import CrewServices
import Foundation
import Hummingbird

/// `/invitations/accept?token=`: shows the invitation and lets a new person sign
/// up, or an existing one log in, and join in one step. Opening the page joins
/// nobody; joining is a POST.
public struct InvitationPagesController: Sendable {
    let services: HTTPServices
    let web: WebController

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.web = WebController(services: services, pages: pages)
    }

    struct AcceptForm: Decodable { var token: String?; var mode: String?; var name: String?; var password: String? }

    public func register(on router: Router<AppRequestContext>) {
        router.get("invitations/accept") { request, context in
            let token = request.uri.queryParameters["token"].map(String.init) ?? ""
            return try await page(token: token, context: context, request: request)
        }
        router.post("invitations/accept") { request, context in
            let form = try await WebController.form(AcceptForm.self, request, context)
            let token = form.token ?? ""
            let db = services.db(context)
            let preview = try await services.invitations.preview(token: token, on: db)
            var identity = context.identity
            var session: AuthResult?
            if identity == nil {
                do {
                    (session, identity) = try await web.signUpOrLogIn(
                        mode: form.mode, email: preview.email, password: form.password ?? "", name: form.name ?? "", from: context.signInOrigin, on: db)
                } catch let error as DomainError {
                    return try await page(token: token, context: context, request: request, error: WebController.message(error), status: error.status)
                }
            }
            guard let identity else { throw DomainError.unauthenticated() }
            let member = try await services.invitations.accept(token: token, identity: identity, ip: context.remoteAddress, on: db)
            let workspaceID = try await services.workspaces.workspaceID(ofMember: try parseID(member.id), on: db)
            let location = "/w/\(workspaceID.apiString)?notice=" + TeamPagesController.encode("Welcome to \(preview.workspaceName).")
            if let session { return web.signedIn(session, to: location) }
            return Response.redirect(to: location, type: .normal)
        }
    }

    private func page(token: String, context: AppRequestContext, request: Request, error: String? = nil, status: Int = 200) async throws -> Response {
        let preview = try await services.invitations.preview(token: token, on: services.db(context))
        struct Model {
            var page: PageChrome
            var preview: InvitationPreview
            var token: String
            var signedInAsInvitee, signedInAsSomeoneElse, anonymous: Bool
        }
        var chrome = try await web.chrome(context, title: "Join \(preview.workspaceName)", request: request)
        chrome.error = error
        return web.pages.render(
            "invitation_accept",
            Model(
                page: chrome, preview: preview, token: token,
                signedInAsInvitee: context.identity?.email == preview.email,
                signedInAsSomeoneElse: context.identity != nil && context.identity?.email != preview.email,
                anonymous: context.identity == nil),
            status: .init(code: status))
    }
}
