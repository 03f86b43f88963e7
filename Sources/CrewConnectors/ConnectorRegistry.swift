import CrewCore

/// The connectors this installation offers, one per configured platform.
public struct ConnectorRegistry: Sendable {
    private let connectors: [Platform: any PlatformConnector]

    public init(_ connectors: [any PlatformConnector]) {
        self.connectors = Dictionary(connectors.map { ($0.platform, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every configured real platform plus the sandbox.
    /// - Parameters:
    ///   - sandboxURL: where the sandbox answers (Crew's own `/sandbox` unless configured).
    ///   - sandboxSecret: the sandbox client secret in effect.
    public static func build(settings: ConnectorSettings, sandboxURL: String, sandboxSecret: String, clock: CrewClock) -> ConnectorRegistry {
        let http = PlatformHTTP(timeoutSeconds: settings.timeoutSeconds)
        var connectors: [any PlatformConnector] = [
            SandboxConnector(baseURL: sandboxURL, clientID: settings.sandboxClientID, clientSecret: sandboxSecret, http: http, clock: clock)
        ]
        for (platform, credentials) in settings.credentials.sorted(by: { $0.key < $1.key }) {
            let (oauth, listing) = RealPlatforms.definition(platform, credentials)
            connectors.append(OAuthConnector(platform: platform, oauth: oauth, listing: listing, http: http, clock: clock))
        }
        return ConnectorRegistry(connectors)
    }

    public func connector(for platform: Platform) -> (any PlatformConnector)? {
        connectors[platform]
    }

    public func isAvailable(_ platform: Platform) -> Bool {
        connectors[platform] != nil
    }
}
