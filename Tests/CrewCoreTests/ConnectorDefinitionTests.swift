import CrewConnectors
import CrewCore
import Foundation
import Testing

/// The OAuth requests each platform definition builds, without touching the network.
@Suite struct ConnectorDefinitionTests {
    static let credentials = PlatformCredentials(clientID: "app id", clientSecret: "s3cr&t")
    static let redirect = "https://crew.example.com/oauth/callback/x"
    static let pkce = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")

    func query(_ url: String) -> [String: String] {
        Dictionary((URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    @Test func pkceFollowsRFC7636AppendixB() {
        #expect(Self.pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let fresh = PKCE()
        #expect(fresh.verifier.count == 43, "43 characters, the minimum RFC 7636 allows and 256 bits of entropy")
        #expect(fresh != PKCE())
    }

    /// Endpoint, scope text, PKCE and client-authentication style per platform.
    static let expectations: [(Platform, String, String, String, Bool, String)] = [
        (.facebook, "https://www.facebook.com/v19.0/dialog/oauth", "https://graph.facebook.com/v19.0/oauth/access_token",
         "pages_show_list,pages_manage_posts,pages_read_engagement,pages_messaging,read_insights", false, "form"),
        (.instagram, "https://www.instagram.com/oauth/authorize", "https://api.instagram.com/oauth/access_token",
         "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_messages,instagram_business_manage_comments",
         false, "form"),
        (.x, "https://x.com/i/oauth2/authorize", "https://api.x.com/2/oauth2/token", "tweet.read tweet.write users.read dm.read offline.access", true, "basic"),
        (.linkedin, "https://www.linkedin.com/oauth/v2/authorization", "https://www.linkedin.com/oauth/v2/accessToken", "openid profile w_member_social", false, "form"),
        (.pinterest, "https://www.pinterest.com/oauth/", "https://api.pinterest.com/v5/oauth/token", "boards:read,pins:read,pins:write,user_accounts:read", false, "basic"),
        (.tiktok, "https://www.tiktok.com/v2/auth/authorize/", "https://open.tiktokapis.com/v2/oauth/token/", "user.info.basic,video.publish", false, "tiktok"),
        (.youtube, "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
         "https://www.googleapis.com/auth/youtube https://www.googleapis.com/auth/yt-analytics.readonly", true, "form"),
        (.googleBusiness, "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
         "https://www.googleapis.com/auth/business.manage", true, "form"),
        (.threads, "https://threads.net/oauth/authorize", "https://graph.threads.net/oauth/access_token",
         "threads_basic,threads_content_publish,threads_manage_replies,threads_manage_insights", false, "form"),
        (.bluesky, "https://bsky.social/oauth/authorize", "https://bsky.social/oauth/token", "atproto transition:generic", true, "form"),
        (.mastodon, "https://mastodon.social/oauth/authorize", "https://mastodon.social/oauth/token", "read write", true, "form"),
    ]

    @Test func everyRealPlatformIsCovered() {
        #expect(Set(Self.expectations.map(\.0)) == Set(RealPlatforms.all))
    }

    @Test(arguments: expectations.indices)
    func authorizeURLsAndTokenBodies(index: Int) throws {
        let (platform, authorize, token, scope, pkce, auth) = Self.expectations[index]
        let (oauth, _) = RealPlatforms.definition(platform, Self.credentials)
        let url = oauth.authorizationURL(state: "the-state", pkce: Self.pkce, redirectURI: Self.redirect)
        #expect(url.hasPrefix(authorize + "?"), "\(platform)")
        let fields = query(url)
        #expect(fields["response_type"] == "code")
        #expect(fields[auth == "tiktok" ? "client_key" : "client_id"] == "app id")
        #expect(fields["redirect_uri"] == Self.redirect)
        #expect(fields["state"] == "the-state")
        #expect(fields["scope"] == scope, "\(platform)")
        #expect((fields["code_challenge"] == Self.pkce.challenge) == pkce, "\(platform)")
        #expect((fields["code_challenge_method"] == "S256") == pkce)
        #expect(!url.contains("s3cr"), "the secret never goes to the browser")
        if platform == .youtube || platform == .googleBusiness {
            #expect(fields["access_type"] == "offline" && fields["prompt"] == "consent")
        }

        let exchange = oauth.codeExchangeRequest(code: "the code", pkce: Self.pkce, redirectURI: Self.redirect)
        #expect(exchange.url == token)
        #expect(exchange.headers.contains { $0 == ("Content-Type", "application/x-www-form-urlencoded") })
        let body = exchange.fields
        #expect(body["grant_type"] == "authorization_code")
        #expect(body["code"] == "the code")
        #expect(exchange.body.contains("code=the%20code"), "form values are percent-encoded")
        #expect(body["redirect_uri"] == Self.redirect)
        #expect((body["code_verifier"] == Self.pkce.verifier) == pkce)
        let basic = exchange.headers.first { $0.0 == "Authorization" }?.1
        switch auth {
        case "basic":
            #expect(basic == "Basic " + Data("app%20id:s3cr%26t".utf8).base64EncodedString())
            #expect(body["client_secret"] == nil, "the secret travels once, in the header")
        case "tiktok":
            #expect(body["client_key"] == "app id" && body["client_secret"] == "s3cr&t" && basic == nil)
        default:
            #expect(body["client_id"] == "app id" && body["client_secret"] == "s3cr&t" && basic == nil)
        }

        let refresh = oauth.refreshRequest(refreshToken: "r-token")
        #expect(refresh.url == token)
        #expect(refresh.fields["grant_type"] == "refresh_token")
        #expect(refresh.fields["refresh_token"] == "r-token")
    }

    @Test func mastodonUsesTheConfiguredInstance() {
        let (oauth, listing) = RealPlatforms.definition(
            .mastodon, PlatformCredentials(clientID: "a", clientSecret: "b", instanceURL: "https://fosstodon.org/"))
        #expect(oauth.authorizeURL == "https://fosstodon.org/oauth/authorize")
        #expect(listing.url == "https://fosstodon.org/api/v1/accounts/verify_credentials")
    }

    @Test func descriptionsNeverShowTheSecret() {
        let (oauth, _) = RealPlatforms.definition(.x, Self.credentials)
        #expect(!"\(oauth)".contains("s3cr"))
        #expect(!String(reflecting: oauth).contains("s3cr"))
        #expect(!String(describing: [oauth]).contains("s3cr"))
    }

    /// Answers shaped like each platform's documented profile endpoint.
    @Test(arguments: [
        (Platform.facebook, #"{"data":[{"id":"101","name":"Bakery"},{"id":"102","name":"Cycles"}]}"#, ["101:Bakery", "102:Cycles"]),
        (.instagram, #"{"user_id":"17841","username":"bakery.ig"}"#, ["17841:bakery.ig"]),
        (.x, #"{"data":{"id":"2244994945","name":"Bakery","username":"bakery"}}"#, ["2244994945:Bakery"]),
        (.linkedin, #"{"sub":"782bbtaQ","name":"Dana Owner"}"#, ["782bbtaQ:Dana Owner"]),
        (.pinterest, #"{"id":549755885175,"username":"bakery","business_name":""}"#, ["549755885175:bakery"]),
        (.tiktok, #"{"data":{"user":{"open_id":"723f","display_name":"Bakery TV"}}}"#, ["723f:Bakery TV"]),
        (.youtube, #"{"items":[{"id":"UC_x5","snippet":{"title":"Bakery Channel"}}]}"#, ["UC_x5:Bakery Channel"]),
        (.googleBusiness, #"{"accounts":[{"name":"accounts/1","accountName":"Bakery GmbH"}]}"#, ["accounts/1:Bakery GmbH"]),
        (.threads, #"{"id":"1","username":"bakery"}"#, ["1:bakery"]),
        (.bluesky, #"{"did":"did:plc:abc","handle":"bakery.bsky.social"}"#, ["did:plc:abc:bakery.bsky.social"]),
        (.mastodon, #"{"id":"109","username":"bakery","display_name":"Harbor Bakery"}"#, ["109:Harbor Bakery"]),
    ])
    func profileListingsReadEachPlatformsAnswer(platform: Platform, json: String, expected: [String]) throws {
        let (_, listing) = RealPlatforms.definition(platform, Self.credentials)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let profiles = try listing.parse(object)
        #expect(profiles.map { "\($0.externalID):\($0.name)" } == expected)
    }

    @Test func aMalformedProfileAnswerIsAClearError() throws {
        let (_, listing) = RealPlatforms.definition(.facebook, Self.credentials)
        #expect(throws: ConnectorError.malformedResponse("no profile list at data")) { try listing.parse(["error": "x"]) }
        #expect(throws: ConnectorError.malformedResponse("a profile has no id")) { try listing.parse(["data": [["name": "No id"]]]) }
    }

    @Test func tokenAnswersAreReadWithExpiryAndKeepTheOldRefreshToken() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let first = try TokenSet.parse(Array(#"{"access_token":"a1","refresh_token":"r1","expires_in":3600,"scope":"x y"}"#.utf8), now: now)
        #expect(first == TokenSet(accessToken: "a1", refreshToken: "r1", expiresAt: now.addingTimeInterval(3_600), scope: "x y"))
        let refreshed = try TokenSet.parse(Array(#"{"access_token":"a2","expires_in":"60"}"#.utf8), now: now, previousRefreshToken: "r1")
        #expect(refreshed.refreshToken == "r1")
        #expect(refreshed.needsRefresh(at: now, margin: 60))
        #expect(!first.needsRefresh(at: now, margin: 600))
        #expect(throws: ConnectorError.malformedResponse("token response has no access_token")) {
            try TokenSet.parse(Array(#"{"token_type":"bearer"}"#.utf8), now: now)
        }
    }

    @Test func settingsReadCredentialsAndTheSandbox() throws {
        let settings = try ConnectorSettings.parse([
            "CREW_PLATFORM_X_CLIENT_ID": "x-app", "CREW_PLATFORM_X_SECRET": "x-secret",
            "CREW_PLATFORM_MASTODON_CLIENT_ID": "m", "CREW_PLATFORM_MASTODON_SECRET": "ms", "CREW_PLATFORM_MASTODON_URL": "https://fosstodon.org",
            "CREW_SANDBOX_URL": "http://127.0.0.1:9090/sandbox", "CREW_CONNECTOR_TIMEOUT": "5",
        ])
        #expect(settings.credentials[.x] == PlatformCredentials(clientID: "x-app", clientSecret: "x-secret"))
        #expect(settings.credentials[.mastodon]?.instanceURL == "https://fosstodon.org")
        #expect(settings.credentials[.facebook] == nil)
        #expect(settings.sandboxURL == "http://127.0.0.1:9090/sandbox")
        #expect(settings.timeoutSeconds == 5)
        let registry = ConnectorRegistry.build(settings: settings, sandboxURL: "http://s/sandbox", sandboxSecret: "z", clock: .live)
        #expect(Platform.allCases.filter(registry.isAvailable) == [.x, .mastodon, .sandbox])
    }
}
