import Foundation

/// What a token endpoint grants. Stored only sealed (see `SecretSealer`).
public struct TokenSet: Codable, Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String?
    /// When the access token stops working; `nil` when the platform does not say.
    public var expiresAt: Date?
    public var scope: String?

    public init(accessToken: String, refreshToken: String? = nil, expiresAt: Date? = nil, scope: String? = nil) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scope = scope
    }

    /// Reads an RFC 6749 §5.1 token response. A refresh response may omit the
    /// refresh token, in which case the previous one stays valid.
    public static func parse(_ body: [UInt8], now: Date, previousRefreshToken: String? = nil) throws(ConnectorError) -> TokenSet {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw .malformedResponse("token response is not a JSON object")
        }
        guard let access = object["access_token"] as? String, !access.isEmpty else {
            throw .malformedResponse("token response has no access_token")
        }
        let expiresIn = (object["expires_in"] as? NSNumber)?.doubleValue ?? (object["expires_in"] as? String).flatMap(Double.init)
        return TokenSet(
            accessToken: access,
            refreshToken: (object["refresh_token"] as? String) ?? previousRefreshToken,
            expiresAt: expiresIn.map { now.addingTimeInterval($0) },
            scope: object["scope"] as? String)
    }

    /// Whether the access token should be refreshed before use at `now`.
    public func needsRefresh(at now: Date, margin: TimeInterval) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt.timeIntervalSince(now) <= margin
    }
}
