import CrewConnectors
import CrewHTTP
import CrewCore
import CrewMail
import CrewServices
import CrewStore
import Foundation
import Logging

/// A setting that cannot be used, reported as one line naming it.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var setting: String
    public var message: String

    public init(_ setting: String, _ message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { "configuration error: \(setting): \(message)" }
}

/// Values given on the command line; they win over the environment.
public struct ConfigurationOverrides: Sendable {
    public var host: String?
    public var port: String?
    public var database: String?
    public var dataDirectory: String?

    public init(host: String? = nil, port: String? = nil, database: String? = nil, dataDirectory: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.dataDirectory = dataDirectory
    }
}

/// Everything Crew reads from its environment, validated at start-up.
///
/// Precedence: command-line flags, then `CREW_*` environment variables, then defaults.
public struct CrewConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var database: DatabaseLocation
    /// The sealing key; `nil` means "use or create `<data-dir>/secret.key`".
    public var secretKey: String?
    public var publicURL: String
    public var plans: PlanCatalog
    public var bcryptCost: Int
    public var logLevel: Logger.Level
    /// Database connections per event loop (PostgreSQL).
    public var databasePoolSize: Int
    /// Seconds a request waits for a free database connection before it is
    /// answered 503 (`CREW_DB_POOL_TIMEOUT`).
    public var databasePoolTimeout: Int = 5
    /// Requests handled at once; more are answered 503 at once (`CREW_MAX_IN_FLIGHT`).
    public var maxInFlight: Int = 512
    /// Seconds after which a request is answered 503 whatever it waits for (`CREW_REQUEST_TIMEOUT`).
    public var requestTimeout: Int = 30
    /// Members pages a process keeps (`CREW_MEMBER_PAGE_CACHE`); 0 reads every
    /// page from the database.
    public var memberPageCache: Int = 256
    /// Failed log-ins a minute and sign-ups an hour one client address gets
    /// (`CREW_LOGIN_FAILURES_PER_ADDRESS`, `CREW_SIGNUPS_PER_ADDRESS`; 0: no limit).
    public var signInLimits = SignInLimits()
    /// Reverse proxies whose `X-Forwarded-For` names the client (`CREW_TRUSTED_PROXIES`).
    public var trustedProxies: Set<String> = []
    /// Configured social platforms and where the sandbox platform answers.
    public var connectors: ConnectorSettings
    /// How mail leaves: SMTP when configured, else the outbox folder.
    public var mail: MailConfiguration
    /// Whether this process runs the background workers (mail delivery, token
    /// refresh). Off for web-only processes when others do that work.
    public var backgroundWorkers: Bool
    /// How publishing retries transient platform failures
    /// (`CREW_PUBLISH_RETRY_SECONDS`, `CREW_PUBLISH_MAX_ATTEMPTS`), and how long a
    /// process holds the posts it claimed (`CREW_PUBLISH_LEASE_SECONDS`).
    public var publishRetry = RetryPolicy(baseDelay: 30, maxAttempts: 5, lease: 120)
    /// Seconds between pulls of each account's inbox and metrics (`CREW_SYNC_SECONDS`).
    public var syncSeconds = 300

    /// Reads and validates the configuration.
    /// - Parameters:
    ///   - environment: the process environment (tests pass their own).
    ///   - overrides: command-line flags.
    public static func load(environment: [String: String], overrides: ConfigurationOverrides = .init()) throws(ConfigurationError) -> CrewConfiguration {
        func value(_ flag: String?, _ name: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let env = environment[name], !env.isEmpty { return env }
            return nil
        }

        let host = value(overrides.host, "CREW_HOST") ?? "127.0.0.1"
        guard !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ConfigurationError("CREW_HOST", "'\(host)' is not a host name or address")
        }
        let portText = value(overrides.port, "CREW_PORT") ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigurationError("CREW_PORT", "must be a number from 0 to 65535, got '\(portText)'")
        }
        let dataDirectory = value(overrides.dataDirectory, "CREW_DATA_DIR") ?? "./crew-data"
        let databaseText = value(overrides.database, "CREW_DATABASE_URL") ?? "sqlite://\(dataDirectory)/crew.sqlite"
        guard let database = DatabaseLocation(url: databaseText) else {
            throw ConfigurationError(
                "CREW_DATABASE_URL", "expected sqlite://PATH, sqlite::memory: or postgres://user:pass@host:port/db, got '\(DatabaseLocation.redact(databaseText))'")
        }
        let secretKey = environment["CREW_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let secretKey {
            do { _ = try SecretSealer(keyText: secretKey) } catch {
                throw ConfigurationError("CREW_SECRET_KEY", "must be 32 bytes as 64 hex digits or 43 base64url characters")
            }
        } else if database.isPostgres {
            throw ConfigurationError("CREW_SECRET_KEY", "is required with PostgreSQL, so every Crew process seals with the same key")
        }
        let publicURL = try parsePublicURL(environment["CREW_PUBLIC_URL"], host: host, port: port)
        let plans = try parsePlans(environment)
        let bcryptCost = try integer(environment, "CREW_BCRYPT_COST", default: 12, in: 4...31)
        let levelText = environment["CREW_LOG_LEVEL"] ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError("CREW_LOG_LEVEL", "must be one of trace, debug, info, notice, warning, error, critical; got '\(levelText)'")
        }
        let poolSize = try integer(environment, "CREW_DB_POOL_SIZE", default: 4, in: 1...200)
        let poolTimeout = try integer(environment, "CREW_DB_POOL_TIMEOUT", default: 5, in: 1...120, unit: "seconds")
        let inFlight = try integer(environment, "CREW_MAX_IN_FLIGHT", default: 512, in: 1...100_000)
        let requestTimeout = try integer(environment, "CREW_REQUEST_TIMEOUT", default: 30, in: 1...600, unit: "seconds")
        let workersText = (environment["CREW_BACKGROUND_WORKERS"] ?? "on").lowercased()
        guard ["on", "off"].contains(workersText) else {
            throw ConfigurationError("CREW_BACKGROUND_WORKERS", "must be on or off, got '\(workersText)'")
        }
        let connectors: ConnectorSettings
        do {
            connectors = try ConnectorSettings.parse(environment)
        } catch {
            throw ConfigurationError(error.setting, error.message)
        }
        let publishRetry = RetryPolicy(
            baseDelay: TimeInterval(try integer(environment, "CREW_PUBLISH_RETRY_SECONDS", default: 30, in: 1...86_400, unit: "seconds")),
            maxAttempts: try integer(environment, "CREW_PUBLISH_MAX_ATTEMPTS", default: 5, in: 1...100),
            lease: TimeInterval(try integer(environment, "CREW_PUBLISH_LEASE_SECONDS", default: 120, in: 1...3_600, unit: "seconds")))
        let syncSeconds = try integer(environment, "CREW_SYNC_SECONDS", default: 300, in: 10...86_400, unit: "seconds")
        var configuration = CrewConfiguration(
            host: host, port: port, dataDirectory: dataDirectory, database: database, secretKey: secretKey,
            publicURL: publicURL, plans: plans, bcryptCost: bcryptCost, logLevel: logLevel, databasePoolSize: poolSize,
            databasePoolTimeout: poolTimeout, maxInFlight: inFlight, requestTimeout: requestTimeout,
            connectors: connectors, mail: try MailConfiguration.parse(environment, publicURL: publicURL),
            backgroundWorkers: workersText == "on")
        configuration.publishRetry = publishRetry
        configuration.memberPageCache = try integer(environment, "CREW_MEMBER_PAGE_CACHE", default: 256, in: 0...100_000)
        configuration.signInLimits = SignInLimits(
            failuresPerAddressPerMinute: try integer(environment, "CREW_LOGIN_FAILURES_PER_ADDRESS", default: 30, in: 0...1_000_000),
            signupsPerAddressPerHour: try integer(environment, "CREW_SIGNUPS_PER_ADDRESS", default: 20, in: 0...1_000_000))
        configuration.trustedProxies = try addresses(environment, "CREW_TRUSTED_PROXIES")
        configuration.syncSeconds = syncSeconds
        return configuration
    }

    /// A comma list of IP addresses, or the error naming the setting.
    private static func addresses(_ environment: [String: String], _ name: String) throws(ConfigurationError) -> Set<String> {
        let items = (environment[name] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for item in items where !IPAddressText.isValid(item) {
            throw ConfigurationError(name, "must be IP addresses separated by commas, got '\(item.prefix(60))'")
        }
        return Set(items)
    }

    /// A whole number in `range`, or the error naming the setting.
    private static func integer(
        _ environment: [String: String], _ name: String, default value: Int, in range: ClosedRange<Int>, unit: String? = nil
    ) throws(ConfigurationError) -> Int {
        guard let text = environment[name], !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(name, "must be a number\(unit.map { " of \($0)" } ?? "") from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    private static func parsePublicURL(_ text: String?, host: String, port: Int) throws(ConfigurationError) -> String {
        guard let text, !text.isEmpty else {
            let shownHost = host == "0.0.0.0" || host == "::" ? "localhost" : host
            return "http://\(shownHost):\(port)"
        }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
            url.query == nil
        else {
            throw ConfigurationError("CREW_PUBLIC_URL", "must be an http:// or https:// address such as https://crew.example.com, got '\(text)'")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// `CREW_PLAN_<NAME>=SEATS/ACCOUNTS` edits or adds a plan.
    private static func parsePlans(_ environment: [String: String]) throws(ConfigurationError) -> PlanCatalog {
        var plans = PlanCatalog.defaults
        for (name, setting) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("CREW_PLAN_") {
            if let problem = plans.apply(planID: String(name.dropFirst("CREW_PLAN_".count)), setting: setting) {
                throw ConfigurationError(name, problem)
            }
        }
        return plans
    }
}

extension DatabaseLocation {
    /// The URL with any password masked, for error messages.
    static func redact(_ text: String) -> String {
        guard let at = text.firstIndex(of: "@"), let schemeEnd = text.range(of: "://") else { return text }
        let credentials = text[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

/// `CREW_SMTP_URL`, `CREW_SMTP_CA_FILE`, `CREW_MAIL_FROM`, `CREW_MAIL_RETRY_SECONDS`,
/// `CREW_MAIL_MAX_ATTEMPTS`, `CREW_MAIL_LEASE_SECONDS`.
public struct MailConfiguration: Sendable, Equatable {
    /// `nil`: mail is written to `<data-dir>/outbox` instead.
    public var smtp: SMTPSettings?
    public var sender: MailSender
    public var retry: RetryPolicy

    static func parse(_ environment: [String: String], publicURL: String) throws(ConfigurationError) -> MailConfiguration {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return text
        }
        var smtp: SMTPSettings? = nil
        if let url = value("CREW_SMTP_URL") {
            do { smtp = try SMTPSettings.parse(url) } catch { throw ConfigurationError("CREW_SMTP_URL", error.message) }
        }
        if let file = value("CREW_SMTP_CA_FILE") {
            guard FileManager.default.isReadableFile(atPath: file) else { throw ConfigurationError("CREW_SMTP_CA_FILE", "cannot read '\(file)'") }
            smtp?.trustedCertificatesFile = file
        }
        let host = URL(string: publicURL)?.host ?? "localhost"
        let defaultDomain = host.contains(".") && !host.allSatisfy({ $0.isNumber || $0 == "." }) ? host : "crew.localhost"
        let sender = try parseSender(value("CREW_MAIL_FROM") ?? "Crew <crew@\(defaultDomain)>")
        var retry = RetryPolicy()
        if let text = value("CREW_MAIL_RETRY_SECONDS") {
            guard let seconds = Double(text), seconds >= 0.05, seconds <= 3_600 else {
                throw ConfigurationError("CREW_MAIL_RETRY_SECONDS", "must be a number of seconds from 0.05 to 3600, got '\(text)'")
            }
            retry.baseDelay = seconds
        }
        if let text = value("CREW_MAIL_MAX_ATTEMPTS") {
            guard let attempts = Int(text), (1...50).contains(attempts) else {
                throw ConfigurationError("CREW_MAIL_MAX_ATTEMPTS", "must be a number from 1 to 50, got '\(text)'")
            }
            retry.maxAttempts = attempts
        }
        if let text = value("CREW_MAIL_LEASE_SECONDS") {
            guard let seconds = Double(text), seconds >= 1, seconds <= 3_600 else {
                throw ConfigurationError("CREW_MAIL_LEASE_SECONDS", "must be a number of seconds from 1 to 3600, got '\(text)'")
            }
            retry.lease = seconds
        }
        return MailConfiguration(smtp: smtp, sender: sender, retry: retry)
    }

    /// `Name <address>` or a bare address.
    private static func parseSender(_ text: String) throws(ConfigurationError) -> MailSender {
        var name: String? = nil
        var address = text
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
            name = String(text[..<open]).trimmingWhitespace().trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        }
        guard let email = try? EmailAddress(address), !(name ?? "").contains(where: { $0.isNewline }) else {
            throw ConfigurationError("CREW_MAIL_FROM", "expected an address such as crew@agency.example or \"Agency <crew@agency.example>\", got '\(text)'")
        }
        return MailSender(name: name?.isEmpty == false ? name : nil, address: email.value)
    }
}
