import CrewCore
import Foundation

/// A page or profile that an authorization gives access to; it becomes one
/// social account in the workspace.
public struct PlatformProfile: Sendable, Equatable, Codable {
    /// The platform's own id, stable across reconnects.
    public var externalID: String
    public var name: String

    public init(externalID: String, name: String) {
        self.externalID = externalID
        self.name = name
    }
}

/// A post handed to a platform for publishing.
public struct OutgoingPost: Sendable, Equatable {
    public var text: String
    public var mediaURLs: [String]

    public init(text: String, mediaURLs: [String] = []) {
        self.text = text
        self.mediaURLs = mediaURLs
    }
}

/// What the platform says about a published post.
public struct PublishedPost: Sendable, Equatable, Codable {
    public var externalID: String
    public var url: String?
    public var publishedAt: Date

    public init(externalID: String, url: String?, publishedAt: Date) {
        self.externalID = externalID
        self.url = url
        self.publishedAt = publishedAt
    }
}

/// One conversation in a profile's inbox, with its messages oldest first.
public struct PlatformConversation: Sendable, Equatable, Codable {
    public struct Message: Sendable, Equatable, Codable {
        public var externalID: String
        public var author: String
        public var fromProfile: Bool
        public var text: String
        public var sentAt: Date

        public init(externalID: String, author: String, fromProfile: Bool, text: String, sentAt: Date) {
            self.externalID = externalID
            self.author = author
            self.fromProfile = fromProfile
            self.text = text
            self.sentAt = sentAt
        }
    }

    public var externalID: String
    public var participant: String
    public var messages: [Message]

    public init(externalID: String, participant: String, messages: [Message]) {
        self.externalID = externalID
        self.participant = participant
        self.messages = messages
    }
}

/// One day of a profile's numbers.
public struct DailyMetrics: Sendable, Equatable, Codable {
    /// The day, as `YYYY-MM-DD` in UTC.
    public var day: String
    public var followers: Int
    public var impressions: Int
    public var engagements: Int
    public var clicks: Int
    public var postsPublished: Int

    public init(day: String, followers: Int, impressions: Int, engagements: Int, clicks: Int, postsPublished: Int) {
        self.day = day
        self.followers = followers
        self.impressions = impressions
        self.engagements = engagements
        self.clicks = clicks
        self.postsPublished = postsPublished
    }
}

/// Everything Crew does with a social platform. Connecting uses the OAuth half;
/// publishing, the inbox and analytics use the rest. Every method reports
/// failures as `ConnectorError`.
public protocol PlatformConnector: Sendable {
    var platform: Platform { get }
    var oauth: OAuthDefinition { get }

    /// Redeems an authorization code.
    func exchange(code: String, pkce: PKCE, redirectURI: String) async throws -> TokenSet
    /// Trades the refresh token for a new access token.
    func refresh(_ tokens: TokenSet) async throws -> TokenSet
    /// The pages or profiles the grant gives access to.
    func profiles(_ tokens: TokenSet) async throws -> [PlatformProfile]
    func publish(_ post: OutgoingPost, profileID: String, tokens: TokenSet) async throws -> PublishedPost
    /// The profile's recent conversations; older ones may drop out (Crew keeps what it saw).
    func conversations(profileID: String, tokens: TokenSet) async throws -> [PlatformConversation]
    /// Sends a reply from the profile into a conversation.
    func reply(_ text: String, conversationID: String, profileID: String, tokens: TokenSet) async throws -> PlatformConversation.Message
    /// Daily numbers for the days from `from` to `to` inclusive (`YYYY-MM-DD`).
    func dailyMetrics(profileID: String, from: String, to: String, tokens: TokenSet) async throws -> [DailyMetrics]
}
