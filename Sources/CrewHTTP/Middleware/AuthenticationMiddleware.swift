import CrewCore
import CrewServices
import CrewStore
import Foundation
import HTTPTypes
import Hummingbird

/// Finds the signed-in person from `Authorization: Bearer` or the session cookie,
/// and guards cookie-authenticated unsafe requests against cross-site forgery.
///
/// It never refuses a request for lack of a login — routes decide that with
/// `requireIdentity()` — but a bearer token that is unknown, expired or
/// revoked is refused at once so a client learns its token is dead.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let services: HTTPServices
    /// Routes that establish a session (log-in, sign-up). Posts to them ignore the
    /// session cookie entirely, so a stale or present cookie never blocks signing in;
    /// the cross-site check still guards them against login CSRF.
    let credentialPaths: Set<String>
    /// Paths of other sites that Crew happens to serve (the sandbox platform):
    /// Crew's sessions and tokens mean nothing there, so they pass untouched.
    let foreignPrefixes: [String]

    public init(services: HTTPServices, credentialPaths: Set<String>, foreignPrefixes: [String] = []) {
        self.services = services
        self.credentialPaths = credentialPaths
        self.foreignPrefixes = foreignPrefixes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if foreignPrefixes.contains(where: request.uri.path.hasPrefix) {
            return try await next(request, context)
        }
        var context = context
        let db = services.db(context)
        context.database = db
        let readAhead = Self.readAhead(for: request)
        if let bearer = Self.bearerToken(request) {
            guard let found = try await authenticate(bearer, readingAhead: readAhead, on: db) else {
                throw DomainError.unauthenticated("The access token is unknown, expired or revoked.")
            }
            found.apply(to: &context)
            if let identity = context.identity, !identity.allows(method: request.method.rawValue) {
                throw DomainError.forbidden("This access token is read-only.")
            }
        } else if Self.isSafe(request.method) || !credentialPaths.contains(request.uri.path), let cookie = request.cookies[SessionCookie.name]?.value, !cookie.isEmpty {
            // A stale cookie is simply ignored: the person is anonymous and may log in again.
            if let found = try await authenticate(cookie, readingAhead: readAhead, on: db) {
                found.apply(to: &context)
                context.authenticatedByCookie = true
            }
        }
        var request = request
        if !Self.isSafe(request.method) {
            try await checkCrossSite(&request, context: context)
        }
        return try await next(request, context)
    }

    /// What the route will need besides the person, read in the same
    /// statement as the session: a round trip saved on every such request.
    enum ReadAhead {
        case nothing
        /// The caller's membership of the workspace in the path.
        case membership(of: UUID)
        /// That, and the workspace's client invite link (its `GET`).
        case membershipAndLink(of: UUID)
        /// The person's workspaces (`GET /api/v1/me`).
        case workspaces
    }

    /// The person behind a token, and what was read ahead with them.
    struct Authenticated {
        var identity: Identity
        var membership: CallerMembership?
        var workspaces: [MeView.WorkspaceSummary]?
        var link: InviteLinkModel?

        func apply(to context: inout Context) {
            context.identity = identity
            context.callerMembership = membership
            context.callerWorkspaces = workspaces
            context.workspaceLink = link
        }
    }

    private func authenticate(_ token: String, readingAhead readAhead: ReadAhead, on db: any Database) async throws -> Authenticated? {
        let accounts = services.accounts
        switch readAhead {
        case .nothing:
            return try await accounts.authenticate(token: token, on: db).map { Authenticated(identity: $0) }
        case .membership(let workspaceID):
            return try await accounts.authenticate(token: token, in: workspaceID, on: db).map { Authenticated(identity: $0, membership: $1) }
        case .membershipAndLink(let workspaceID):
            return try await accounts.authenticateWithLink(token: token, in: workspaceID, on: db).map {
                Authenticated(identity: $0, membership: $1, link: $2)
            }
        case .workspaces:
            return try await accounts.authenticateWithWorkspaces(token: token, on: db).map { Authenticated(identity: $0, workspaces: $1) }
        }
    }

    /// What to read with the session for this request. Only a hint: the
    /// route's own `:wid` decides, and `HTTPServices.access` checks it agrees.
    static func readAhead(for request: Request) -> ReadAhead {
        let path = request.uri.path
        if let workspaceID = workspaceID(inPath: path) {
            let readsLink = request.method == .get && path.hasSuffix("/client-invite-link") && path.hasPrefix("/api/v1/workspaces/")
            return readsLink ? .membershipAndLink(of: workspaceID) : .membership(of: workspaceID)
        }
        if path == "/api/v1/me", request.method == .get { return .workspaces }
        return .nothing
    }

    /// The workspace a path is within (`/api/v1/workspaces/{wid}/…` and the
    /// pages' `/w/{wid}/…`), or nil.
    static func workspaceID(inPath path: String) -> UUID? {
        for prefix in ["/api/v1/workspaces/", "/w/"] where path.hasPrefix(prefix) {
            let rest = path.utf8.dropFirst(prefix.utf8.count)
            return UUID(parsing: String(decoding: rest.prefix { $0 != UInt8(ascii: "/") }, as: UTF8.self))
        }
        return nil
    }

    /// Cookie-authenticated unsafe requests need the CSRF token (header or form
    /// field) and must not come from another site.
    private func checkCrossSite(_ request: inout Request, context: Context) async throws {
        if request.headers[HTTPField.Name("Sec-Fetch-Site")!] == "cross-site", context.identity == nil || context.authenticatedByCookie {
            throw DomainError.forbidden("Cross-site requests are not accepted.")
        }
        guard context.authenticatedByCookie, let identity = context.identity else { return }
        let expected = SessionCookie.csrfToken(for: identity, services: services)
        if let header = request.headers[SessionCookie.csrfHeader] {
            guard constantTimeEquals(header, expected) else { throw Self.csrfFailure }
            return
        }
        // HTML forms carry the token as a field. The body is collected here (and
        // stays readable for the handler) so no route can forget the check.
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else { throw Self.csrfFailure }
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let fields = (try? URLEncodedFormDecoder().decode(CSRFField.self, from: String(buffer: body))) ?? CSRFField()
        guard let field = fields.csrf_token, constantTimeEquals(field, expected) else { throw Self.csrfFailure }
    }

    /// HTML forms carry the token in the `csrf_token` field (see the templates).
    private struct CSRFField: Decodable {
        var csrf_token: String?
    }

    static let csrfFailure = DomainError.forbidden("The CSRF token is missing or wrong; reload the page and try again.")

    static func bearerToken(_ request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingWhitespace()
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}
