import CrewCore
import Foundation

/// A platform's OAuth 2 authorization-code flow: where to send people, where to
/// redeem codes, and how the platform wants the client to authenticate.
/// Pure: builds URLs and form bodies, performs no I/O. Its descriptions leave
/// the client secret out, because service lifecycles log what they start.
public struct OAuthDefinition: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// How the client id and secret reach the token endpoint.
    public enum ClientAuthentication: Sendable, Equatable {
        /// `Authorization: Basic base64(id:secret)` (RFC 6749 §2.3.1, preferred).
        case basic
        /// `client_id` and `client_secret` as form fields.
        case formFields
        /// TikTok's spelling: `client_key` instead of `client_id`, in the form.
        case tiktokFormFields
    }

    public var authorizeURL: String
    public var tokenURL: String
    public var scopes: [String]
    /// Most platforms separate scopes with a space; a few (Facebook, TikTok) with a comma.
    public var scopeSeparator: String
    public var clientID: String
    public var clientSecret: String
    public var clientAuthentication: ClientAuthentication
    public var usesPKCE: Bool
    /// Platform-specific extras on the authorize URL (e.g. Google's `access_type=offline`).
    public var extraAuthorizeParameters: [(String, String)]

    public init(
        authorizeURL: String, tokenURL: String, scopes: [String], scopeSeparator: String = " ",
        clientID: String, clientSecret: String, clientAuthentication: ClientAuthentication = .basic,
        usesPKCE: Bool = true, extraAuthorizeParameters: [(String, String)] = []
    ) {
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.scopes = scopes
        self.scopeSeparator = scopeSeparator
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAuthentication = clientAuthentication
        self.usesPKCE = usesPKCE
        self.extraAuthorizeParameters = extraAuthorizeParameters
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.authorizeURL == rhs.authorizeURL && lhs.tokenURL == rhs.tokenURL && lhs.scopes == rhs.scopes
            && lhs.clientID == rhs.clientID && lhs.clientSecret == rhs.clientSecret
            && lhs.clientAuthentication == rhs.clientAuthentication && lhs.usesPKCE == rhs.usesPKCE
            && lhs.extraAuthorizeParameters.elementsEqual(rhs.extraAuthorizeParameters, by: ==)
    }

    public var description: String { "OAuthDefinition(\(authorizeURL), client \(clientID), secret redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["authorizeURL": authorizeURL, "tokenURL": tokenURL, "clientID": clientID]) }

    private var clientIDField: String { clientAuthentication == .tiktokFormFields ? "client_key" : "client_id" }

    /// The address a person's browser is sent to (RFC 6749 §4.1.1 + RFC 7636 §4.3).
    public func authorizationURL(state: String, pkce: PKCE, redirectURI: String) -> String {
        var fields: [(String, String)] = [
            ("response_type", "code"),
            (clientIDField, clientID),
            ("redirect_uri", redirectURI),
            ("scope", scopes.joined(separator: scopeSeparator)),
            ("state", state),
        ]
        if usesPKCE {
            fields.append(("code_challenge", pkce.challenge))
            fields.append(("code_challenge_method", "S256"))
        }
        fields.append(contentsOf: extraAuthorizeParameters)
        let separator = authorizeURL.contains("?") ? "&" : "?"
        return authorizeURL + separator + FormEncoding.encode(fields)
    }

    /// The form that redeems an authorization code (RFC 6749 §4.1.3).
    public func codeExchangeRequest(code: String, pkce: PKCE, redirectURI: String) -> TokenRequest {
        var fields: [(String, String)] = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)]
        if usesPKCE { fields.append(("code_verifier", pkce.verifier)) }
        return tokenRequest(fields)
    }

    /// The form that trades a refresh token for a new access token (RFC 6749 §6).
    public func refreshRequest(refreshToken: String) -> TokenRequest {
        tokenRequest([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
    }

    private func tokenRequest(_ fields: [(String, String)]) -> TokenRequest {
        var fields = fields
        var headers: [(String, String)] = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")]
        switch clientAuthentication {
        case .basic:
            let credentials = Data("\(FormEncoding.escape(clientID)):\(FormEncoding.escape(clientSecret))".utf8).base64EncodedString()
            headers.append(("Authorization", "Basic \(credentials)"))
            // Public-client style id in the body as well: several platforms require it.
            fields.append(("client_id", clientID))
        case .formFields, .tiktokFormFields:
            fields.append((clientIDField, clientID))
            fields.append(("client_secret", clientSecret))
        }
        return TokenRequest(url: tokenURL, headers: headers, body: FormEncoding.encode(fields))
    }
}

/// One POST to a token endpoint, ready to send.
public struct TokenRequest: Sendable, Equatable {
    public var url: String
    public var headers: [(String, String)]
    public var body: String

    public init(url: String, headers: [(String, String)], body: String) {
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.url == rhs.url && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }

    /// The form fields of the body, decoded (for tests and logs that must not print values).
    public var fields: [String: String] { FormEncoding.decode(body) }
}

/// `application/x-www-form-urlencoded` as RFC 6749 Appendix B spells it.
public enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    public static func decode(_ body: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            result[name] = value
        }
        return result
    }
}
