import CrewCore

/// The client id and secret an operator registered with a platform.
public struct PlatformCredentials: Sendable, Equatable {
    public var clientID: String
    public var clientSecret: String
    /// Mastodon only: the instance the app is registered on.
    public var instanceURL: String?

    public init(clientID: String, clientSecret: String, instanceURL: String? = nil) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.instanceURL = instanceURL
    }
}

/// Endpoints, scopes and profile listings of the real platforms of API.md.
/// They follow each platform's published OAuth 2 documentation; Crew offers a
/// platform only when its credentials are configured.
public enum RealPlatforms {
    /// The platforms that need credentials (everything but the sandbox).
    public static let all: [Platform] = Platform.allCases.filter { $0 != .sandbox }

    public static let defaultMastodonInstance = "https://mastodon.social"

    /// The OAuth flow and profile listing for `platform` with the operator's credentials.
    public static func definition(_ platform: Platform, _ credentials: PlatformCredentials) -> (OAuthDefinition, ProfileListing) {
        let id = credentials.clientID
        let secret = credentials.clientSecret
        switch platform {
        case .facebook:
            return (
                OAuthDefinition(
                    authorizeURL: "https://www.facebook.com/v19.0/dialog/oauth", tokenURL: "https://graph.facebook.com/v19.0/oauth/access_token",
                    scopes: ["pages_show_list", "pages_manage_posts", "pages_read_engagement", "pages_messaging", "read_insights"],
                    scopeSeparator: ",", clientID: id, clientSecret: secret, clientAuthentication: .formFields, usesPKCE: false),
                ProfileListing(url: "https://graph.facebook.com/v19.0/me/accounts?fields=id,name", itemsPath: ["data"], nameKeys: [["name"]]))
        case .instagram:
            return (
                OAuthDefinition(
                    authorizeURL: "https://www.instagram.com/oauth/authorize", tokenURL: "https://api.instagram.com/oauth/access_token",
                    scopes: [
                        "instagram_business_basic", "instagram_business_content_publish", "instagram_business_manage_messages",
                        "instagram_business_manage_comments",
                    ],
                    scopeSeparator: ",", clientID: id, clientSecret: secret, clientAuthentication: .formFields, usesPKCE: false),
                ProfileListing(
                    url: "https://graph.instagram.com/v21.0/me?fields=user_id,username,name", itemsPath: [], idKey: ["user_id"],
                    nameKeys: [["name"], ["username"]]))
        case .x:
            return (
                OAuthDefinition(
                    authorizeURL: "https://x.com/i/oauth2/authorize", tokenURL: "https://api.x.com/2/oauth2/token",
                    scopes: ["tweet.read", "tweet.write", "users.read", "dm.read", "offline.access"], clientID: id, clientSecret: secret),
                ProfileListing(url: "https://api.x.com/2/users/me", itemsPath: ["data"], nameKeys: [["name"], ["username"]]))
        case .linkedin:
            return (
                OAuthDefinition(
                    authorizeURL: "https://www.linkedin.com/oauth/v2/authorization", tokenURL: "https://www.linkedin.com/oauth/v2/accessToken",
                    scopes: ["openid", "profile", "w_member_social"], clientID: id, clientSecret: secret,
                    clientAuthentication: .formFields, usesPKCE: false),
                ProfileListing(url: "https://api.linkedin.com/v2/userinfo", itemsPath: [], idKey: ["sub"], nameKeys: [["name"]]))
        case .pinterest:
            return (
                OAuthDefinition(
                    authorizeURL: "https://www.pinterest.com/oauth/", tokenURL: "https://api.pinterest.com/v5/oauth/token",
                    scopes: ["boards:read", "pins:read", "pins:write", "user_accounts:read"], scopeSeparator: ",",
                    clientID: id, clientSecret: secret, usesPKCE: false),
                ProfileListing(
                    url: "https://api.pinterest.com/v5/user_account", itemsPath: [], nameKeys: [["business_name"], ["username"]]))
        case .tiktok:
            return (
                OAuthDefinition(
                    authorizeURL: "https://www.tiktok.com/v2/auth/authorize/", tokenURL: "https://open.tiktokapis.com/v2/oauth/token/",
                    scopes: ["user.info.basic", "video.publish"], scopeSeparator: ",", clientID: id, clientSecret: secret,
                    clientAuthentication: .tiktokFormFields, usesPKCE: false),
                ProfileListing(
                    url: "https://open.tiktokapis.com/v2/user/info/?fields=open_id,display_name", itemsPath: ["data", "user"],
                    idKey: ["open_id"], nameKeys: [["display_name"]]))
        case .youtube:
            return (
                google(id, secret, scopes: ["https://www.googleapis.com/auth/youtube", "https://www.googleapis.com/auth/yt-analytics.readonly"]),
                ProfileListing(
                    url: "https://www.googleapis.com/youtube/v3/channels?part=snippet&mine=true", itemsPath: ["items"],
                    nameKeys: [["snippet", "title"]]))
        case .googleBusiness:
            return (
                google(id, secret, scopes: ["https://www.googleapis.com/auth/business.manage"]),
                ProfileListing(
                    url: "https://mybusinessaccountmanagement.googleapis.com/v1/accounts", itemsPath: ["accounts"], idKey: ["name"],
                    nameKeys: [["accountName"]]))
        case .threads:
            return (
                OAuthDefinition(
                    authorizeURL: "https://threads.net/oauth/authorize", tokenURL: "https://graph.threads.net/oauth/access_token",
                    scopes: ["threads_basic", "threads_content_publish", "threads_manage_replies", "threads_manage_insights"],
                    scopeSeparator: ",", clientID: id, clientSecret: secret, clientAuthentication: .formFields, usesPKCE: false),
                ProfileListing(url: "https://graph.threads.net/v1.0/me?fields=id,username,name", itemsPath: [], nameKeys: [["name"], ["username"]]))
        case .bluesky:
            return (
                OAuthDefinition(
                    authorizeURL: "https://bsky.social/oauth/authorize", tokenURL: "https://bsky.social/oauth/token",
                    scopes: ["atproto", "transition:generic"], clientID: id, clientSecret: secret, clientAuthentication: .formFields),
                ProfileListing(
                    url: "https://bsky.social/xrpc/com.atproto.server.getSession", itemsPath: [], idKey: ["did"], nameKeys: [["handle"]]))
        case .mastodon:
            let instance = trimmed(credentials.instanceURL ?? defaultMastodonInstance)
            return (
                OAuthDefinition(
                    authorizeURL: instance + "/oauth/authorize", tokenURL: instance + "/oauth/token", scopes: ["read", "write"],
                    clientID: id, clientSecret: secret, clientAuthentication: .formFields),
                ProfileListing(
                    url: instance + "/api/v1/accounts/verify_credentials", itemsPath: [], nameKeys: [["display_name"], ["username"]]))
        case .sandbox:
            preconditionFailure("the sandbox is built by SandboxConnector")
        }
    }

    private static func google(_ id: String, _ secret: String, scopes: [String]) -> OAuthDefinition {
        // Offline access and a consent prompt, or Google grants no refresh token.
        OAuthDefinition(
            authorizeURL: "https://accounts.google.com/o/oauth2/v2/auth", tokenURL: "https://oauth2.googleapis.com/token",
            scopes: scopes, clientID: id, clientSecret: secret, clientAuthentication: .formFields,
            extraAuthorizeParameters: [("access_type", "offline"), ("prompt", "consent")])
    }

    private static func trimmed(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}
