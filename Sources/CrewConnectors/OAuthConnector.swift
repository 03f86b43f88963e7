import CrewCore
import Foundation

/// A connector built from declarations: the OAuth flow and the profile listing.
/// Real platforms use it as it is; publishing, the inbox and analytics are
/// reported as unsupported until a platform-specific connector adds them.
public struct OAuthConnector: PlatformConnector {
    public let platform: Platform
    public let oauth: OAuthDefinition
    public let listing: ProfileListing
    let http: PlatformHTTP
    let clock: CrewClock

    public init(platform: Platform, oauth: OAuthDefinition, listing: ProfileListing, http: PlatformHTTP, clock: CrewClock) {
        self.platform = platform
        self.oauth = oauth
        self.listing = listing
        self.http = http
        self.clock = clock
    }

    public func exchange(code: String, pkce: PKCE, redirectURI: String) async throws -> TokenSet {
        let answer = try await http.send(oauth.codeExchangeRequest(code: code, pkce: pkce, redirectURI: redirectURI))
        return try TokenSet.parse(answer.body, now: clock.now)
    }

    public func refresh(_ tokens: TokenSet) async throws -> TokenSet {
        guard let refreshToken = tokens.refreshToken else { throw ConnectorError.invalidGrant("no refresh token was granted") }
        let answer = try await http.send(oauth.refreshRequest(refreshToken: refreshToken))
        return try TokenSet.parse(answer.body, now: clock.now, previousRefreshToken: refreshToken)
    }

    public func profiles(_ tokens: TokenSet) async throws -> [PlatformProfile] {
        let answer = try await http.call(.GET, listing.url, accessToken: tokens.accessToken)
        return try listing.parse(try answer.jsonObject())
    }

    public func publish(_ post: OutgoingPost, profileID: String, tokens: TokenSet) async throws -> PublishedPost {
        throw ConnectorError.unsupported("publish posts")
    }

    public func conversations(profileID: String, tokens: TokenSet) async throws -> [PlatformConversation] {
        throw ConnectorError.unsupported("read conversations")
    }

    public func reply(_ text: String, conversationID: String, profileID: String, tokens: TokenSet) async throws -> PlatformConversation.Message {
        throw ConnectorError.unsupported("reply to conversations")
    }

    public func dailyMetrics(profileID: String, from: String, to: String, tokens: TokenSet) async throws -> [DailyMetrics] {
        throw ConnectorError.unsupported("read analytics")
    }
}
