import CrewCore
import CrewHTTP
import CrewServices
import Foundation
import Hummingbird
import CrewStore

/// The server-rendered pages: sign-up, log-in, log-out, workspace switcher and
/// home. Forms work without JavaScript; every unsafe form carries the CSRF token
/// (checked by `AuthenticationMiddleware`).
public struct WebController: Sendable {
    let services: HTTPServices
    let pages: PageRenderer

    public init(services: HTTPServices, pages: PageRenderer) {
        self.services = services
        self.pages = pages
    }

    struct LoginForm: Decodable { var email: String?; var password: String?; var next: String? }
    struct SignupForm: Decodable { var name: String?; var email: String?; var password: String? }
    struct WorkspaceForm: Decodable { var name: String?; var plan: String? }

    public func register(on router: Router<AppRequestContext>) {
        router.get("static/crew.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: pages.stylesheet)))
        }
        router.get("static/crew.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: pages.script)))
        }
        // No icon yet; answer without a 404 so browsers stop asking loudly.
        router.get("favicon.ico") { _, _ in HTTPResponse.Status.noContent }
        router.get("/") { _, context in try await home(context) }
        router.get("login") { request, context in
            let next = Self.safeNext(request.uri.queryParameters["next"].map(String.init))
            if context.identity != nil { return Response.redirect(to: next ?? "/", type: .normal) }
            return pages.render("login", FormModel(page: try await chrome(context, title: "Log in"), next: next))
        }
        router.post("login") { request, context in try await login(request, context) }
        router.get("signup") { _, context in
            if context.identity != nil { return Response.redirect(to: "/", type: .normal) }
            return pages.render("signup", FormModel(page: try await chrome(context, title: "Sign up")))
        }
        router.post("signup") { request, context in try await signup(request, context) }
        router.post("logout") { _, context in
            if let identity = context.identity {
                try await services.accounts.logout(identity, on: services.db(context))
            }
            var response = Response.redirect(to: "/login", type: .found)
            response.setCookie(SessionCookie.expired(secure: services.secureCookies))
            return response
        }
        router.get("workspaces/new") { _, context in
            guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
            return pages.render("workspace_new", newWorkspaceModel(try await chrome(context, title: "New workspace")))
        }
        router.post("workspaces") { request, context in try await createWorkspace(request, context) }
        router.get("w/:wid") { request, context in try await workspaceHome(request, context) }
    }

    // MARK: Pages

    private func home(_ context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity else { return Response.redirect(to: "/login", type: .normal) }
        let me = try await services.accounts.me(identity, on: services.db(context))
        if let first = me.workspaces.first {
            return Response.redirect(to: "/w/\(first.id)", type: .normal)
        }
        return pages.render("welcome", FormModel(page: try await chrome(context, title: "Welcome")))
    }

    private func workspaceHome(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard context.identity != nil else { return Response.redirect(to: "/login", type: .normal) }
        let db = services.db(context)
        let access = try await services.access(context)
        let workspace = try await services.workspaces.get(access.workspaceID, on: db)
        struct Model {
            var page: PageChrome
            var workspace: WorkspaceView
            var role: String
            var seatsText: String
            var accountsText: String
            var abilities: [HomeAbility]
            var accounts: [String]
            var hasAccounts: Bool
        }
        let accounts = try await services.socialAccounts.list(access, status: nil, limit: try PageSize("200"), cursor: nil, on: db).items
        return pages.render(
            "workspace_home",
            Model(
                page: try await chrome(context, title: workspace.name, currentWorkspace: workspace.id, request: request),
                workspace: workspace, role: access.role.rawValue,
                seatsText: Self.usageText(workspace.seats), accountsText: Self.usageText(workspace.accounts),
                abilities: try await HomeAbility.list(for: access, services: services, on: db), accounts: accounts.map(\.name),
                hasAccounts: !accounts.isEmpty))
    }

    static func usageText(_ usage: Usage) -> String {
        "\(usage.used) of \(usage.limit.map(String.init) ?? "unlimited")"
    }

    // MARK: Forms

    struct FormModel { var page: PageChrome; var error: String? = nil; var email: String = ""; var name: String = ""; var next: String? = nil }

    /// Where to go after logging in: only a path on this site, never another host.
    static func safeNext(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), text.count <= 4_096 else { return nil }
        return text
    }

    private func login(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let form = try await Self.form(LoginForm.self, request, context)
        do {
            let result = try await services.accounts.login(
                email: form.email ?? "", password: form.password ?? "", from: context.signInOrigin, on: services.db(context))
            return signedIn(result, to: Self.safeNext(form.next) ?? "/")
        } catch let error as DomainError {
            let model = FormModel(
                page: try await chrome(context, title: "Log in"), error: error.detail, email: form.email ?? "", next: Self.safeNext(form.next))
            return Self.refusal(pages.render("login", model, status: .init(code: error.status)), error)
        }
    }

    private func signup(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let form = try await Self.form(SignupForm.self, request, context)
        do {
            let result = try await services.accounts.signup(
                email: form.email ?? "", password: form.password ?? "", name: form.name ?? "", from: context.signInOrigin,
                on: services.db(context))
            return signedIn(result)
        } catch let error as DomainError {
            let model = FormModel(
                page: try await chrome(context, title: "Sign up"), error: Self.message(error),
                email: form.email ?? "", name: form.name ?? "")
            return Self.refusal(pages.render("signup", model, status: .init(code: error.status)), error)
        }
    }

    private func createWorkspace(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let form = try await Self.form(WorkspaceForm.self, request, context)
        do {
            let workspace = try await services.workspaces.create(
                name: form.name ?? "", plan: form.plan ?? "", ownerID: identity.userID, actor: context.actor, on: services.db(context))
            return Response.redirect(to: "/w/\(workspace.id)", type: .found)
        } catch let error as DomainError {
            var model = newWorkspaceModel(try await chrome(context, title: "New workspace"), selected: form.plan)
            model.error = Self.message(error)
            model.name = form.name ?? ""
            return pages.render("workspace_new", model, status: .init(code: error.status))
        }
    }

    /// Signs a visitor up (`mode` "signup") or in from a form that also does
    /// something else in the same step (accepting an invitation, joining by link).
    func signUpOrLogIn(
        mode: String?, email: String, password: String, name: String, from origin: SignInOrigin, on db: any Database
    ) async throws -> (AuthResult, Identity) {
        let result = mode == "signup"
            ? try await services.accounts.signup(email: email, password: password, name: name, from: origin, on: db)
            : try await services.accounts.login(email: email, password: password, from: origin, on: db)
        guard let identity = try await services.accounts.authenticate(token: result.token, on: db) else {
            throw DomainError.unauthenticated()
        }
        return (result, identity)
    }

    /// Decodes an HTML form body (`application/x-www-form-urlencoded`).
    static func form<T: Decodable>(_ type: T.Type, _ request: Request, _ context: AppRequestContext) async throws -> T {
        try await URLEncodedFormDecoder().decode(type, from: request, context: context)
    }

    /// Sets the session cookie and sends the browser home.
    func signedIn(_ result: AuthResult, to location: String = "/") -> Response {
        var response = Response.redirect(to: location, type: .found)
        response.setCookie(SessionCookie.make(token: result.token, expiresAt: result.expiresAt, secure: services.secureCookies))
        return response
    }

    /// A form page that refuses: a brake's wait also goes out as `Retry-After`,
    /// as the API sends it.
    static func refusal(_ page: Response, _ error: DomainError) -> Response {
        var page = page
        if case .rateLimited(let seconds) = error { page.headers[.retryAfter] = String(seconds) }
        return page
    }

    /// All field errors in one sentence for a form.
    static func message(_ error: DomainError) -> String {
        let fields = error.fieldErrors
        guard !fields.isEmpty else { return error.detail }
        return fields.map { "\($0.field.capitalized) \($0.message)." }.joined(separator: " ")
    }

    struct NewWorkspaceModel {
        struct PlanOption { var id: String; var label: String; var selected: Bool }
        var page: PageChrome
        var plans: [PlanOption]
        var error: String?
        var name = ""
    }

    private func newWorkspaceModel(_ page: PageChrome, selected: String? = nil) -> NewWorkspaceModel {
        let plans = services.env.plans
        let options = plans.ids.compactMap { id in plans[id] }.map { plan in
            let seats = plan.seatLimit.map { "\($0) seats" } ?? "unlimited seats"
            let accounts = plan.accountLimit.map { "\($0) accounts" } ?? "unlimited accounts"
            return NewWorkspaceModel.PlanOption(
                id: plan.id, label: "\(plan.id.replacingOccurrences(of: "_", with: " ").capitalized) — \(seats), \(accounts)",
                selected: plan.id == (selected ?? "agency"))
        }
        return NewWorkspaceModel(page: page, plans: options, error: nil)
    }

    // MARK: Layout

    /// The layout data for the signed-in person (or an anonymous visitor).
    func chrome(_ context: AppRequestContext, title: String, currentWorkspace: String? = nil, request: Request? = nil) async throws -> PageChrome {
        guard let identity = context.identity else {
            return PageChrome(title: title, signedIn: false, userName: "", csrf: "", workspaces: [], currentWorkspace: nil)
        }
        let me = try await services.accounts.me(identity, on: services.db(context))
        var permissions: [String] = []
        if let currentWorkspace, let id = UUID(uuidString: currentWorkspace) {
            let membership = try? await services.workspaces.membership(userID: identity.userID, workspaceID: id, on: services.db(context))
            permissions = membership?.permissions.map(\.rawValue) ?? []
        }
        let links = me.workspaces.map {
            PageChrome.WorkspaceLink(
                id: $0.id, name: $0.name, role: $0.role.rawValue, current: $0.id == currentWorkspace,
                permissions: $0.id == currentWorkspace ? permissions : [])
        }
        let query = request?.uri.queryParameters
        return PageChrome(
            title: title, signedIn: true, userName: identity.name,
            csrf: SessionCookie.csrfToken(for: identity, services: services),
            workspaces: links, currentWorkspace: links.first(where: \.current),
            notice: query?["notice"].map(String.init), error: query?["error"].map(String.init))
    }
}
