import CrewCore

/// Which platforms the operator configured and how to reach the sandbox, read
/// from `CREW_PLATFORM_<NAME>_CLIENT_ID` / `_SECRET` (Mastodon also `_URL`),
/// `CREW_SANDBOX_URL` and `CREW_CONNECTOR_TIMEOUT`.
public struct ConnectorSettings: Sendable, Equatable {
    public var credentials: [Platform: PlatformCredentials]
    /// An external sandbox (`crew sandbox --port N`); `nil` means Crew serves
    /// the sandbox itself under `<public URL>/sandbox`.
    public var sandboxURL: String?
    /// Sandbox client credentials; `nil` secret means "derive from the secret key"
    /// (the sandbox Crew serves itself derives the same one).
    public var sandboxClientID: String
    public var sandboxClientSecret: String?
    /// Seconds a platform has to answer one request.
    public var timeoutSeconds: Int

    public init(
        credentials: [Platform: PlatformCredentials] = [:], sandboxURL: String? = nil, sandboxClientID: String = "crew",
        sandboxClientSecret: String? = nil, timeoutSeconds: Int = 10
    ) {
        self.credentials = credentials
        self.sandboxURL = sandboxURL
        self.sandboxClientID = sandboxClientID
        self.sandboxClientSecret = sandboxClientSecret
        self.timeoutSeconds = timeoutSeconds
    }

    /// A setting that cannot be used: its name and what is wrong.
    public struct Problem: Error, Equatable {
        public var setting: String
        public var message: String
    }

    public static func parse(_ environment: [String: String]) throws(Problem) -> ConnectorSettings {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return text
        }
        var settings = ConnectorSettings()
        for platform in RealPlatforms.all {
            let prefix = "CREW_PLATFORM_\(platform.rawValue.uppercased())"
            let id = value(prefix + "_CLIENT_ID")
            let secret = value(prefix + "_SECRET")
            switch (id, secret) {
            case (nil, nil):
                continue
            case (.some, nil):
                throw Problem(setting: prefix + "_SECRET", message: "is required when \(prefix)_CLIENT_ID is set")
            case (nil, .some):
                throw Problem(setting: prefix + "_CLIENT_ID", message: "is required when \(prefix)_SECRET is set")
            case (.some(let id), .some(let secret)):
                var credentials = PlatformCredentials(clientID: id, clientSecret: secret)
                if platform == .mastodon, let instance = value(prefix + "_URL") {
                    guard isHTTPURL(instance) else {
                        throw Problem(setting: prefix + "_URL", message: "must be the instance's https:// address, got '\(instance)'")
                    }
                    credentials.instanceURL = instance
                }
                settings.credentials[platform] = credentials
            }
        }
        if let url = value("CREW_SANDBOX_URL") {
            guard isHTTPURL(url) else {
                throw Problem(setting: "CREW_SANDBOX_URL", message: "must be an http:// or https:// address such as http://127.0.0.1:9090, got '\(url)'")
            }
            settings.sandboxURL = url
        }
        if let id = value("CREW_PLATFORM_SANDBOX_CLIENT_ID") { settings.sandboxClientID = id }
        settings.sandboxClientSecret = value("CREW_PLATFORM_SANDBOX_SECRET")
        if let text = value("CREW_CONNECTOR_TIMEOUT") {
            guard let seconds = Int(text), (1...120).contains(seconds) else {
                throw Problem(setting: "CREW_CONNECTOR_TIMEOUT", message: "must be a number of seconds from 1 to 120, got '\(text)'")
            }
            settings.timeoutSeconds = seconds
        }
        return settings
    }

    private static func isHTTPURL(_ text: String) -> Bool {
        (text.hasPrefix("http://") || text.hasPrefix("https://")) && text.count > 8 && !text.contains(where: \.isWhitespace)
    }
}
