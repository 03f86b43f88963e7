import CrewCore
import CrewServices
import Foundation
import Hummingbird

/// Sign-up, log-in, log-out, `/me` and personal access tokens.
public struct AuthController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    struct SignupBody: Decodable { var email: String; var password: String; var name: String }
    struct LoginBody: Decodable { var email: String; var password: String }
    struct TokenBody: Decodable { var name: String; var scope: String?; var workspaceId: String?; var expiresAt: Date? }
    struct ResetRequestBody: Decodable { var email: String }
    struct ResetBody: Decodable { var token: String; var password: String }

    /// `{token, user, csrfToken}`: the CSRF token is what a browser script sends
    /// as `X-CSRF-Token` when it uses the cookie instead of the bearer token.
    struct AuthAnswer: Encodable { var token: String; var user: UserView; var csrfToken: String }

    public func register(on api: APIRouter) {
        api.post("auth/signup") { request, context in
            let body = try await request.decode(as: SignupBody.self, context: context)
            let result = try await services.accounts.signup(
                email: body.email, password: body.password, name: body.name, from: context.signInOrigin, on: services.db(context))
            return try answer(result, status: .created, request: request, context: context)
        }
        api.post("auth/login") { request, context in
            let body = try await request.decode(as: LoginBody.self, context: context)
            let result = try await services.accounts.login(
                email: body.email, password: body.password, from: context.signInOrigin, on: services.db(context))
            return try answer(result, status: .ok, request: request, context: context)
        }
        // 202 whether or not the address has an account: the answer never tells.
        api.post("auth/password-reset") { request, context in
            let body = try await request.decode(as: ResetRequestBody.self, context: context)
            try await services.passwordResets.request(email: body.email, from: context.signInOrigin, on: services.db(context))
            return HTTPResponse.Status.accepted
        }
        api.post("auth/password-reset/confirm") { request, context in
            let body = try await request.decode(as: ResetBody.self, context: context)
            try await services.passwordResets.reset(
                token: body.token, newPassword: body.password, from: context.signInOrigin, on: services.db(context))
            return HTTPResponse.Status.noContent
        }
        api.post("auth/logout") { _, context in
            let identity = try context.requireIdentity()
            try await services.accounts.logout(identity, on: services.db(context))
            var response = Response(status: .noContent)
            response.setCookie(SessionCookie.expired(secure: services.secureCookies))
            return response
        }
        api.get("me") { _, context in
            try await services.accounts.me(try context.requireIdentity(), workspaces: context.callerWorkspaces, on: services.db(context))
        }
        api.post("me/tokens") { request, context in
            let identity = try context.requireIdentity()
            let body = try await request.decode(as: TokenBody.self, context: context)
            let token = try await services.accounts.createAPIToken(
                .init(name: body.name, scope: body.scope, workspaceId: body.workspaceId, expiresAt: body.expiresAt), for: identity,
                on: services.db(context))
            return try context.json(token, status: .created, request: request)
        }
        api.get("me/tokens") { _, context in
            ListPage(items: try await services.accounts.listAPITokens(for: try context.requireIdentity(), on: services.db(context)))
        }
        api.delete("me/tokens/:tid") { _, context in
            let identity = try context.requireIdentity()
            try await services.accounts.revokeAPIToken(id: try parseID(context.parameters.get("tid")), for: identity, on: services.db(context))
            return HTTPResponse.Status.noContent
        }
    }

    /// The login answer, with the session cookie for browsers.
    private func answer(_ result: AuthResult, status: HTTPResponse.Status, request: Request, context: AppRequestContext) throws -> Response {
        let csrf = SessionCookie.csrfToken(forTokenHash: SecureToken.hash(result.token), services: services)
        var response = try context.json(AuthAnswer(token: result.token, user: result.user, csrfToken: csrf), status: status, request: request)
        response.setCookie(SessionCookie.make(token: result.token, expiresAt: result.expiresAt, secure: services.secureCookies))
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
