import CrewConnectors
import CrewCore
import Foundation
import Synchronization

/// The sandbox's authorization server: it issues codes and tokens as sealed,
/// self-describing blobs, so several Crew processes serving `/sandbox` with the
/// same key accept each other's tokens. Used codes and revoked grants are
/// remembered in memory (the sandbox is a test platform, not Crew's data).
public final class SandboxAuthority: Sendable {
    public struct Configuration: Sendable {
        public var clientID: String
        public var clientSecret: String
        /// Seals codes and tokens; Crew derives it from its own secret key.
        public var sealer: SecretSealer
        public var clock: CrewClock
        public var accessTokenLifetime: TimeInterval
        public var codeLifetime: TimeInterval

        public init(
            clientID: String, clientSecret: String, sealer: SecretSealer, clock: CrewClock = .live,
            accessTokenLifetime: TimeInterval = 3_600, codeLifetime: TimeInterval = 120
        ) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.sealer = sealer
            self.clock = clock
            self.accessTokenLifetime = accessTokenLifetime
            self.codeLifetime = codeLifetime
        }
    }

    /// An OAuth error answer (RFC 6749 §5.2).
    public struct OAuthFailure: Error, Equatable {
        public var status: Int
        public var error: String
        public var description: String
    }

    /// What an authorization request asked for, carried through the consent form.
    struct AuthorizationRequest: Codable, Equatable {
        var redirectURI: String
        var state: String
        var challenge: String
        var expires: Double
    }

    /// What codes and tokens say inside their seal.
    struct Grant: Codable {
        var kind: String
        var grantID: String
        var profiles: [String]
        var client: String
        var expires: Double?
        var redirectURI: String?
        var challenge: String?
    }

    public let configuration: Configuration
    /// Posts and replies the sandbox received.
    public let ledger = SandboxLedger()
    private let usedCodes = Mutex<[String: Double]>([:])
    private let revokedGrants = Mutex<Set<String>>([])

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    var now: Date { configuration.clock.now }

    // MARK: Authorization

    /// Checks an authorize request; the consent page carries the result sealed.
    func validateAuthorization(_ query: [String: String]) throws(OAuthFailure) -> String {
        guard query["client_id"] == configuration.clientID else { throw OAuthFailure(status: 400, error: "invalid_client", description: "Unknown client_id.") }
        guard let redirect = query["redirect_uri"], redirect.hasPrefix("http://") || redirect.hasPrefix("https://") else {
            throw OAuthFailure(status: 400, error: "invalid_request", description: "redirect_uri must be an http(s) address.")
        }
        guard query["response_type"] == "code" else { throw OAuthFailure(status: 400, error: "unsupported_response_type", description: "Only response_type=code is supported.") }
        guard let state = query["state"], !state.isEmpty else { throw OAuthFailure(status: 400, error: "invalid_request", description: "state is required.") }
        guard let challenge = query["code_challenge"], challenge.count >= 43, query["code_challenge_method"] == "S256" else {
            throw OAuthFailure(status: 400, error: "invalid_request", description: "PKCE with code_challenge_method=S256 is required.")
        }
        let request = AuthorizationRequest(
            redirectURI: redirect, state: state, challenge: challenge, expires: now.addingTimeInterval(900).timeIntervalSince1970)
        return configuration.sealer.seal(String(decoding: try! JSONEncoder().encode(request), as: UTF8.self))
    }

    func openAuthorization(_ sealed: String) -> AuthorizationRequest? {
        guard let text = configuration.sealer.open(sealed),
            let request = try? JSONDecoder().decode(AuthorizationRequest.self, from: Data(text.utf8)),
            request.expires > now.timeIntervalSince1970
        else { return nil }
        return request
    }

    /// Where the browser goes after the person decided: back to the client with a code or an error.
    func decide(_ request: AuthorizationRequest, approve: Bool, profiles: [String]) -> String {
        let separator = request.redirectURI.contains("?") ? "&" : "?"
        guard approve else {
            return request.redirectURI + separator
                + FormEncoding.encode([("error", "access_denied"), ("error_description", "The person denied access."), ("state", request.state)])
        }
        let grant = Grant(
            kind: "code", grantID: SecureToken.generate(), profiles: profiles, client: configuration.clientID,
            expires: now.addingTimeInterval(configuration.codeLifetime).timeIntervalSince1970,
            redirectURI: request.redirectURI, challenge: request.challenge)
        return request.redirectURI + separator + FormEncoding.encode([("code", seal(grant)), ("state", request.state)])
    }

    // MARK: Tokens

    /// The token endpoint: authorization_code (with PKCE) and refresh_token grants.
    func token(form: [String: String], authorization: String?) throws(OAuthFailure) -> [String: Any] {
        try authenticateClient(form: form, authorization: authorization)
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"], let grant = open(code, kind: "code") else { throw invalidGrant("The code is unknown or expired.") }
            guard form["redirect_uri"] == grant.redirectURI else { throw invalidGrant("redirect_uri does not match the authorization request.") }
            guard let verifier = form["code_verifier"], PKCE.challenge(for: verifier) == grant.challenge else {
                throw invalidGrant("code_verifier does not match the code_challenge.")
            }
            let fresh = usedCodes.withLock { used -> Bool in
                let nowSeconds = now.timeIntervalSince1970
                used = used.filter { $0.value > nowSeconds }
                return used.updateValue(grant.expires ?? nowSeconds, forKey: grant.grantID) == nil
            }
            guard fresh else { throw invalidGrant("The code was already used.") }
            return issueTokens(grantID: grant.grantID, profiles: grant.profiles)
        case "refresh_token":
            guard let token = form["refresh_token"], let grant = open(token, kind: "refresh"), !isRevoked(grant.grantID) else {
                throw invalidGrant("The refresh token is unknown or revoked.")
            }
            return issueTokens(grantID: grant.grantID, profiles: grant.profiles)
        default:
            throw OAuthFailure(status: 400, error: "unsupported_grant_type", description: "Use authorization_code or refresh_token.")
        }
    }

    /// RFC 7009 revocation: the whole grant (access and refresh tokens) stops working.
    func revoke(form: [String: String], authorization: String?) throws(OAuthFailure) {
        try authenticateClient(form: form, authorization: authorization)
        guard let token = form["token"] else { throw OAuthFailure(status: 400, error: "invalid_request", description: "token is required.") }
        if let grant = open(token, kind: "access") ?? open(token, kind: "refresh") {
            _ = revokedGrants.withLock { $0.insert(grant.grantID) }
        }
    }

    /// The profiles an API call's bearer token reaches, or `nil` (401).
    func profiles(bearer: String?) -> [String]? {
        guard let bearer, let grant = open(bearer, kind: "access"), !isRevoked(grant.grantID) else { return nil }
        return grant.profiles
    }

    private func issueTokens(grantID: String, profiles: [String]) -> [String: Any] {
        let access = Grant(
            kind: "access", grantID: grantID, profiles: profiles, client: configuration.clientID,
            expires: now.addingTimeInterval(configuration.accessTokenLifetime).timeIntervalSince1970)
        let refresh = Grant(kind: "refresh", grantID: grantID, profiles: profiles, client: configuration.clientID)
        return [
            "access_token": seal(access), "refresh_token": seal(refresh), "token_type": "Bearer",
            "expires_in": Int(configuration.accessTokenLifetime), "scope": "profiles publish inbox insights",
        ]
    }

    private func authenticateClient(form: [String: String], authorization: String?) throws(OAuthFailure) {
        var id = form["client_id"]
        var secret = form["client_secret"]
        if let authorization, authorization.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        {
            id = String(decoded[..<colon]).removingPercentEncoding
            secret = String(decoded[decoded.index(after: colon)...]).removingPercentEncoding
        }
        guard id == configuration.clientID, let secret, constantTimeEquals(secret, configuration.clientSecret) else {
            throw OAuthFailure(status: 401, error: "invalid_client", description: "Client authentication failed.")
        }
    }

    private func invalidGrant(_ description: String) -> OAuthFailure {
        OAuthFailure(status: 400, error: "invalid_grant", description: description)
    }

    private func isRevoked(_ grantID: String) -> Bool {
        revokedGrants.withLock { $0.contains(grantID) }
    }

    private func seal(_ grant: Grant) -> String {
        "sbx_\(grant.kind)." + configuration.sealer.seal(String(decoding: try! JSONEncoder().encode(grant), as: UTF8.self))
    }

    private func open(_ text: String, kind: String) -> Grant? {
        let prefix = "sbx_\(kind)."
        guard text.hasPrefix(prefix), let plain = configuration.sealer.open(String(text.dropFirst(prefix.count))),
            let grant = try? JSONDecoder().decode(Grant.self, from: Data(plain.utf8)), grant.kind == kind,
            grant.client == configuration.clientID
        else { return nil }
        if let expires = grant.expires, expires <= now.timeIntervalSince1970 { return nil }
        return grant
    }
}
