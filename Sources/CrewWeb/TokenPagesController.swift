import CrewCore
import CrewHTTP
import CrewServices
import Foundation
import Hummingbird

/// `/tokens`: the person's personal access tokens — make one (shown once,
/// with its limits), see when each was last used, revoke one.
public struct TokenPagesController: Sendable {
    let services: HTTPServices
    let web: WebController

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.web = WebController(services: services, pages: pages)
    }

    struct CreateForm: Decodable { var name: String?; var scope: String?; var workspaceId: String?; var expiresOn: String? }

    public func register(on router: Router<AppRequestContext>) {
        router.get("tokens") { request, context in try await page(request, context) }
        router.post("tokens") { request, context in
            guard let identity = context.identity else { return Response.redirect(to: "/login", type: .normal) }
            let form = try await WebController.form(CreateForm.self, request, context)
            do {
                // A day means through its end, as every date field in Crew.
                let expiresAt = try AccessEndField.parse(form.expiresOn, field: "expiresOn")
                let made = try await services.accounts.createAPIToken(
                    .init(name: form.name ?? "", scope: form.scope, workspaceId: (form.workspaceId ?? "").isEmpty ? nil : form.workspaceId,
                          expiresAt: expiresAt),
                    for: identity, on: services.db(context))
                var response = try await page(request, context, made: made)
                // The page carries the token in the clear: no cache may keep it.
                response.headers[.cacheControl] = "no-store"
                return response
            } catch let error as DomainError {
                return try await page(request, context, error: WebController.message(error), status: .init(code: error.status))
            }
        }
        router.post("tokens/:tid/revoke") { _, context in
            guard let identity = context.identity else { return Response.redirect(to: "/login", type: .normal) }
            do {
                try await services.accounts.revokeAPIToken(id: try parseID(context.parameters.get("tid")), for: identity, on: services.db(context))
                return Response.redirect(to: "/tokens?notice=" + TeamPagesController.encode("Token revoked; it stopped working at once."), type: .normal)
            } catch let error as DomainError {
                return Response.redirect(to: "/tokens?error=" + TeamPagesController.encode(WebController.message(error)), type: .normal)
            }
        }
    }

    private func page(
        _ request: Request, _ context: AppRequestContext, made: APITokenView? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let identity = context.identity else { return Response.redirect(to: "/login", type: .normal) }
        let db = services.db(context)
        let tokens = try await services.accounts.listAPITokens(for: identity, on: db)
        let workspaces = try await services.accounts.me(identity, on: db).workspaces
        let names = Dictionary(workspaces.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        struct Row { var id, name, scope, reach, created, lastUsed, expires: String }
        struct Option { var value, label: String }
        struct Model { var page: PageChrome; var made: APITokenView?; var tokens: [Row]; var workspaces: [Option] }
        let rows = tokens.map { token in
            Row(
                id: token.id, name: token.name, scope: token.scope == .read ? "read only" : "read and write",
                reach: token.workspaceId.map { names[$0] ?? "one workspace" } ?? "all my workspaces",
                created: TeamPagesController.dateText(token.createdAt), lastUsed: token.lastUsedAt.map(TeamPagesController.dateText) ?? "never",
                expires: token.expiresAt.map { "after \(AccessEndField.dayText($0))" } ?? "never")
        }
        var chrome = try await web.chrome(context, title: "Access tokens", request: request)
        if let error { chrome.error = error }
        return web.pages.render(
            "tokens",
            Model(page: chrome, made: made, tokens: rows, workspaces: workspaces.map { Option(value: $0.id, label: $0.name) }),
            status: status)
    }
}
