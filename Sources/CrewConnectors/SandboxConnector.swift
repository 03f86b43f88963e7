import CrewCore
import Foundation

/// The connector of Crew's built-in `sandbox` platform. It speaks to the
/// sandbox over HTTP exactly like the other connectors speak to theirs; the
/// sandbox may be served by Crew itself (`/sandbox`) or run on its own.
public struct SandboxConnector: PlatformConnector {
    public let platform = Platform.sandbox
    public let oauth: OAuthDefinition
    let base: String
    let generic: OAuthConnector
    let http: PlatformHTTP

    /// Wire names of the sandbox's API, shared with the sandbox server.
    public enum Paths {
        public static let authorize = "/oauth/authorize"
        public static let token = "/oauth/token"
        public static let revoke = "/oauth/revoke"
        public static let profiles = "/api/profiles"
        public static func posts(_ profile: String) -> String { "/api/profiles/\(profile)/posts" }
        public static func conversations(_ profile: String) -> String { "/api/profiles/\(profile)/conversations" }
        public static func messages(_ profile: String, _ conversation: String) -> String {
            "/api/profiles/\(profile)/conversations/\(conversation)/messages"
        }
        public static func metrics(_ profile: String) -> String { "/api/profiles/\(profile)/metrics" }
    }

    /// - Parameter baseURL: where the sandbox answers, e.g. `http://127.0.0.1:8080/sandbox`.
    public init(baseURL: String, clientID: String, clientSecret: String, http: PlatformHTTP, clock: CrewClock) {
        self.base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.oauth = OAuthDefinition(
            authorizeURL: base + Paths.authorize, tokenURL: base + Paths.token,
            scopes: ["profiles", "publish", "inbox", "insights"], clientID: clientID, clientSecret: clientSecret)
        self.http = http
        self.generic = OAuthConnector(
            platform: .sandbox, oauth: oauth,
            listing: ProfileListing(url: base + Paths.profiles, itemsPath: ["profiles"], nameKeys: [["name"]]),
            http: http, clock: clock)
    }

    public func exchange(code: String, pkce: PKCE, redirectURI: String) async throws -> TokenSet {
        try await generic.exchange(code: code, pkce: pkce, redirectURI: redirectURI)
    }

    public func refresh(_ tokens: TokenSet) async throws -> TokenSet {
        try await generic.refresh(tokens)
    }

    public func profiles(_ tokens: TokenSet) async throws -> [PlatformProfile] {
        try await generic.profiles(tokens)
    }

    public func publish(_ post: OutgoingPost, profileID: String, tokens: TokenSet) async throws -> PublishedPost {
        let answer = try await http.call(
            .POST, base + Paths.posts(FormEncoding.escape(profileID)), accessToken: tokens.accessToken,
            json: ["text": post.text, "mediaUrls": post.mediaURLs])
        return try Self.decode(PublishedPost.self, answer)
    }

    public func conversations(profileID: String, tokens: TokenSet) async throws -> [PlatformConversation] {
        let answer = try await http.call(.GET, base + Paths.conversations(FormEncoding.escape(profileID)), accessToken: tokens.accessToken)
        return try Self.decode(SandboxConversations.self, answer).conversations
    }

    public func reply(_ text: String, conversationID: String, profileID: String, tokens: TokenSet) async throws -> PlatformConversation.Message {
        let url = base + Paths.messages(FormEncoding.escape(profileID), FormEncoding.escape(conversationID))
        let answer = try await http.call(.POST, url, accessToken: tokens.accessToken, json: ["text": text])
        return try Self.decode(PlatformConversation.Message.self, answer)
    }

    public func dailyMetrics(profileID: String, from: String, to: String, tokens: TokenSet) async throws -> [DailyMetrics] {
        let url = base + Paths.metrics(FormEncoding.escape(profileID)) + "?from=\(FormEncoding.escape(from))&to=\(FormEncoding.escape(to))"
        let answer = try await http.call(.GET, url, accessToken: tokens.accessToken)
        return try Self.decode(SandboxMetrics.self, answer).days
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ answer: PlatformHTTP.Answer) throws(ConnectorError) -> T {
        do {
            return try SandboxJSON.decoder.decode(type, from: Data(answer.body))
        } catch {
            throw .malformedResponse("unexpected \(T.self) shape")
        }
    }
}

/// Bodies of the sandbox API, shared by the connector and the sandbox server.
public struct SandboxConversations: Codable, Sendable {
    public var conversations: [PlatformConversation]
    public init(conversations: [PlatformConversation]) { self.conversations = conversations }
}

public struct SandboxMetrics: Codable, Sendable {
    public var days: [DailyMetrics]
    public init(days: [DailyMetrics]) { self.days = days }
}

public enum SandboxJSON {
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
