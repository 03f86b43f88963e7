import CrewConnectors
import CrewCore
import Foundation
import Hummingbird
import Logging

/// The sandbox platform's HTTP surface: the authorize (consent) page, token and
/// revocation endpoints, and a small API with profiles, publishing,
/// conversations and daily metrics. Mounted by Crew under `/sandbox`, or served
/// alone by `crew sandbox --port N`.
public struct SandboxRoutes: Sendable {
    let authority: SandboxAuthority
    typealias Paths = SandboxConnector.Paths

    public init(authority: SandboxAuthority) {
        self.authority = authority
    }

    public func register<Context: RequestContext>(on group: RouterGroup<Context>) {
        group.get(RouterPath(Paths.authorize)) { request, _ in
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
            do throws(SandboxAuthority.OAuthFailure) {
                let sealed = try authority.validateAuthorization(query)
                return SandboxPage.consent(request: sealed, scope: query["scope"] ?? "", message: nil)
            } catch {
                return SandboxPage.failure(error)
            }
        }
        group.post(RouterPath(Paths.authorize)) { request, context in
            let fields = try await Self.formPairs(request, context: context)
            let sealed = fields.first { $0.0 == "request" }?.1 ?? ""
            guard let authorization = authority.openAuthorization(sealed) else {
                return SandboxPage.failure(.init(status: 400, error: "invalid_request", description: "This authorization request expired; start again from Crew."))
            }
            let approve = fields.contains { $0 == ("decision", "approve") }
            let picked = fields.filter { $0.0 == "profile" }.map(\.1).filter { SandboxData.profile($0) != nil }
            if approve && picked.isEmpty {
                return SandboxPage.consent(request: sealed, scope: "", message: "Pick at least one profile to grant, or deny.")
            }
            return Response(status: .found, headers: [.location: authority.decide(authorization, approve: approve, profiles: picked)])
        }
        group.post(RouterPath(Paths.token)) { request, context in
            let form = try await Self.form(request, context: context)
            let granted: [String: Any]
            do throws(SandboxAuthority.OAuthFailure) {
                granted = try authority.token(form: form, authorization: request.headers[.authorization])
            } catch {
                return Self.oauthError(error)
            }
            return try Self.json(granted, status: .ok)
        }
        group.post(RouterPath(Paths.revoke)) { request, context in
            let form = try await Self.form(request, context: context)
            do throws(SandboxAuthority.OAuthFailure) {
                try authority.revoke(form: form, authorization: request.headers[.authorization])
                return Response(status: .ok)
            } catch {
                return Self.oauthError(error)
            }
        }
        registerAPI(on: group)
    }

    private func registerAPI<Context: RequestContext>(on group: RouterGroup<Context>) {
        let ledger = authority.ledger
        group.get(RouterPath(Paths.profiles)) { request, _ in
            guard let granted = authority.profiles(bearer: Self.bearer(request)) else { return Self.unauthorized }
            let profiles = granted.compactMap(SandboxData.profile).map { ["id": $0.id, "name": $0.name, "kind": $0.kind] }
            return try Self.json(["profiles": profiles], status: .ok)
        }
        group.post("api/profiles/:profile/posts") { request, context in try await withProfile(request, context) { profile in
            let object = try await Self.jsonBody(request)
            guard let text = object?["text"] as? String, !text.trimmingWhitespace().isEmpty, text.count <= 5_000 else {
                return try Self.json(["error": "invalid_request", "error_description": "text must be 1 to 5000 characters"], status: .badRequest)
            }
            if let refusal = ledger.refusal(for: text) {
                return try Self.json(["error": refusal.error, "error_description": refusal.description], status: .init(code: refusal.status))
            }
            let id = "\(profile)-p\(SecureToken.generate().prefix(10))"
            let post = PublishedPost(externalID: id, url: "https://sandbox.crew.test/\(profile)/posts/\(id)", publishedAt: authority.now)
            ledger.record(SandboxLedger.Post(profileID: profile, externalID: id, text: text, publishedAt: post.publishedAt))
            return Self.encoded(post, status: .created)
        } }
        group.get("api/profiles/:profile/conversations") { request, context in try await withProfile(request, context) { profile in
            Self.encoded(SandboxConversations(conversations: SandboxData.conversations(profileID: profile, now: authority.now, ledger: ledger)), status: .ok)
        } }
        group.post("api/profiles/:profile/conversations/:conversation/messages") { request, context in
            try await withProfile(request, context) { profile in
                let conversation = context.parameters.get("conversation") ?? ""
                guard let slot = SandboxData.slot(ofConversation: conversation, profileID: profile),
                    SandboxData.conversation(profileID: profile, slot: slot, now: authority.now, ledger: ledger) != nil
                else {
                    return try Self.json(["error": "not_found", "error_description": "no such conversation"], status: .notFound)
                }
                let object = try await Self.jsonBody(request)
                guard let text = object?["text"] as? String, !text.trimmingWhitespace().isEmpty, text.count <= 2_000 else {
                    return try Self.json(["error": "invalid_request", "error_description": "text must be 1 to 2000 characters"], status: .badRequest)
                }
                let message = PlatformConversation.Message(
                    externalID: "\(conversation)-r\(SecureToken.generate().prefix(10))", author: SandboxData.profile(profile)?.name ?? profile,
                    fromProfile: true, text: text, sentAt: authority.now)
                ledger.record(reply: message, conversationID: conversation)
                return Self.encoded(message, status: .created)
            }
        }
        // What the sandbox received, for people trying Crew out and for tests
        // that run Crew in several processes. Not part of any real platform's API.
        group.get("inspect/published") { _, _ in
            Self.encoded(["posts": ledger.posts], status: .ok)
        }
        group.get("api/profiles/:profile/metrics") { request, context in try await withProfile(request, context) { profile in
            guard let from = request.uri.queryParameters.get("from").flatMap(SandboxData.parseDay),
                let to = request.uri.queryParameters.get("to").flatMap(SandboxData.parseDay), from <= to,
                to.timeIntervalSince(from) <= 366 * 86_400
            else {
                return try Self.json(["error": "invalid_request", "error_description": "from and to must be YYYY-MM-DD, at most 366 days apart"], status: .badRequest)
            }
            let days = stride(from: from.timeIntervalSince1970, through: to.timeIntervalSince1970, by: 86_400).map { Date(timeIntervalSince1970: $0) }
            return Self.encoded(SandboxMetrics(days: SandboxData.metrics(profileID: profile, days: days, ledger: ledger)), status: .ok)
        } }
    }

    // MARK: Helpers

    /// Runs `body` with the profile in the path when the bearer token reaches it;
    /// otherwise answers 401 (the token does not work) or 403 (not granted).
    private func withProfile<Context: RequestContext>(
        _ request: Request, _ context: Context, _ body: (String) async throws -> Response
    ) async throws -> Response {
        guard let granted = authority.profiles(bearer: Self.bearer(request)) else { return Self.unauthorized }
        guard let profile = context.parameters.get("profile"), granted.contains(profile) else {
            return try Self.json(["error": "insufficient_scope", "error_description": "this profile was not granted"], status: .forbidden)
        }
        return try await body(profile)
    }

    static let unauthorized = Response(
        status: .unauthorized, headers: [.contentType: "application/json", .wwwAuthenticate: "Bearer"],
        body: .init(byteBuffer: ByteBuffer(string: #"{"error":"invalid_token"}"#)))

    static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7))
    }

    static func jsonBody(_ request: Request) async throws -> [String: Any]? {
        let body = try await request.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
    }

    static func formPairs<Context: RequestContext>(_ request: Request, context: Context) async throws -> [(String, String)] {
        let body = try await request.body.collect(upTo: 64 << 10)
        return String(buffer: body).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    static func form<Context: RequestContext>(_ request: Request, context: Context) async throws -> [String: String] {
        Dictionary(try await formPairs(request, context: context), uniquingKeysWith: { first, _ in first })
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func encoded<T: Encodable>(_ value: T, status: HTTPResponse.Status) -> Response {
        let data = (try? SandboxJSON.encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func oauthError(_ failure: SandboxAuthority.OAuthFailure) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": failure.error, "error_description": failure.description])) ?? Data()
        return Response(
            status: .init(code: failure.status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
