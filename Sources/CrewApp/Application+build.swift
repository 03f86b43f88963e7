import CrewConnectors
import CrewCore
import CrewHTTP
import CrewSandbox
import CrewServices
import CrewStore
import CrewWeb
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The parts of a running Crew, built from configuration.
public struct CrewComponents: Sendable {
    public let configuration: CrewConfiguration
    public let services: HTTPServices
    public let routes: RouteCatalog
    public let pages: PageRenderer
    /// The sandbox platform when Crew serves it itself under `/sandbox`.
    public let sandbox: SandboxAuthority?
}

/// Wires configuration → database → services. The database is opened but not
/// yet migrated (the application migrates before it starts serving).
/// - Parameters:
///   - configuration: validated settings.
///   - clock: the time source; tests pass a fixed one.
public func buildComponents(
    _ configuration: CrewConfiguration, clock: CrewClock = .live, logger: Logger
) async throws -> CrewComponents {
    let keyText: String
    if let key = configuration.secretKey {
        keyText = key
    } else if case .sqliteMemory = configuration.database {
        // A throw-away database gets a throw-away key.
        keyText = SecretSealer.generateKeyText()
    } else {
        keyText = try SecretKeyFile.loadOrCreate(dataDirectory: configuration.dataDirectory)
    }
    if case .sqliteFile(let path) = configuration.database {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }
    let env = CrewEnvironment(
        clock: clock, sealer: try SecretSealer(keyText: keyText), plans: configuration.plans,
        passwordHasher: PasswordHasher(cost: UInt8(configuration.bcryptCost)), publicURL: configuration.publicURL,
        memberPages: MemberPageCache(capacity: configuration.memberPageCache), signInLimits: configuration.signInLimits)
    let database = try DatabaseService(
        location: configuration.database, poolSize: configuration.databasePoolSize,
        poolTimeout: .seconds(Int64(configuration.databasePoolTimeout)), logger: logger)
    let (connectors, sandbox) = try buildConnectors(configuration, env: env)
    let services = HTTPServices(
        database: database, env: env, connectors: connectors, metrics: PrometheusCollectorRegistry(),
        syncInterval: TimeInterval(configuration.syncSeconds))
    return CrewComponents(
        configuration: configuration, services: services, routes: RouteCatalog(), pages: try await PageRenderer.load(), sandbox: sandbox)
}

/// The platform connectors, and the sandbox platform unless an external one is
/// configured. The served sandbox derives its keys from Crew's secret key, so
/// every Crew process behind one address accepts the others' sandbox tokens.
private func buildConnectors(_ configuration: CrewConfiguration, env: CrewEnvironment) throws -> (ConnectorRegistry, SandboxAuthority?) {
    let settings = configuration.connectors
    let sandboxSecret = settings.sandboxClientSecret ?? env.sealer.mac("sandbox-client-secret")
    var sandbox: SandboxAuthority? = nil
    if settings.sandboxURL == nil {
        sandbox = SandboxAuthority(
            .init(
                clientID: settings.sandboxClientID, clientSecret: sandboxSecret,
                sealer: try SecretSealer(keyText: env.sealer.mac("sandbox-sealing-key")), clock: env.clock))
    }
    let connectors = ConnectorRegistry.build(
        settings: settings, sandboxURL: settings.sandboxURL ?? configuration.publicURL + "/" + SandboxServer.mountPath,
        sandboxSecret: sandboxSecret, clock: env.clock)
    return (connectors, sandbox)
}

/// The router with every middleware and route; testable without a server.
public func buildRouter(_ components: CrewComponents) -> Router<AppRequestContext> {
    let services = components.services
    let pages = components.pages
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: InFlightLimitMiddleware(limit: components.configuration.maxInFlight))
    router.add(middleware: ClientAddressMiddleware(trusted: components.configuration.trustedProxies))
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: PrometheusMiddleware(registry: services.metrics))
    router.add(
        middleware: ErrorMiddleware(htmlPage: { problem, _, context in
            pages.errorPage(problem, requestID: context.id, chrome: nil)
        }))
    router.add(
        middleware: AuthenticationMiddleware(
            services: services, credentialPaths: [
                "/api/v1/auth/login", "/api/v1/auth/signup", "/api/v1/auth/password-reset", "/api/v1/auth/password-reset/confirm", "/login",
                "/signup", "/forgot-password", "/reset-password",
            ],
            foreignPrefixes: ["/\(SandboxServer.mountPath)/"]))

    let api = APIRouter(group: router.group("api/v1"), prefix: "/api/v1", catalog: components.routes)
    OperationsController(services: services).register(on: router, api: api)
    AuthController(services: services).register(on: api)
    WorkspacesController(services: services).register(on: api)
    MembersController(services: services).register(on: api)
    InvitationsController(services: services).register(on: api)
    AuditController(services: services).register(on: api)
    SocialAccountsController(services: services).register(on: api)
    InviteLinkController(services: services).register(on: api)
    PostsController(services: services).register(on: api)
    InboxController(services: services).register(on: api)
    AnalyticsController(services: services).register(on: api)
    WebController(services: services, pages: pages).register(on: router)
    TeamPagesController(services: services, pages: pages).register(on: router)
    ImportPagesController(services: services, pages: pages).register(on: router)
    TokenPagesController(services: services, pages: pages).register(on: router)
    InvitationPagesController(services: services, pages: pages).register(on: router)
    PasswordPagesController(services: services, pages: pages).register(on: router)
    LinkPagesController(services: services, pages: pages).register(on: router)
    AccountPagesController(services: services, pages: pages).register(on: router)
    PostPagesController(services: services, pages: pages).register(on: router)
    InsightPagesController(services: services, pages: pages).register(on: router)
    if let sandbox = components.sandbox {
        SandboxRoutes(authority: sandbox).register(on: router.group(RouterPath(SandboxServer.mountPath)))
    }
    return router
}

/// Migrates (one process at a time) and checks that this process's key is the
/// database's key. Refusals become one configuration line.
public func prepareDatabase(_ components: CrewComponents) async throws {
    let database = components.services.database
    do {
        try await database.migrate()
        try await InstallationKey.verify(components.services.env, on: database.database())
        database.markReady()
    } catch let refusal as DatabaseRefusal {
        throw ConfigurationError(refusal.setting, refusal.message)
    }
}

/// Mail delivery, token refresh, publishing and platform sync; safe to run in every process (they claim work in the database).
func backgroundWorkers(_ components: CrewComponents, logger: Logger) -> [any Service] {
    let services = components.services
    let configuration = components.configuration
    return [
        MailDeliveryService(
            database: services.database, transport: mailTransport(configuration, logger: logger), env: services.env,
            retry: configuration.mail.retry, logger: logger),
        AccountTokenRefreshService(refresher: services.tokenRefresher, database: services.database, logger: logger),
        PostPublishingService(
            publisher: PostPublisher(env: services.env, connectors: services.connectors, retry: configuration.publishRetry),
            database: services.database, logger: logger),
        PlatformSyncService(sync: services.platformSync, database: services.database, logger: logger),
        AccessExpiryService(sweeper: AccessExpirySweeper(env: services.env), database: services.database, logger: logger),
    ]
}

/// SMTP when `CREW_SMTP_URL` is set; otherwise `.eml` files in `<data-dir>/outbox`.
public func mailTransport(_ configuration: CrewConfiguration, logger: Logger) -> any MailTransport {
    if let smtp = configuration.mail.smtp {
        return SMTPMailTransport(settings: smtp, sender: configuration.mail.sender)
    }
    return FolderMailTransport(directory: configuration.dataDirectory + "/outbox", sender: configuration.mail.sender, logger: logger)
}

/// The whole application: router, server settings, migrations before serving,
/// and the database service that closes its pools on shutdown.
/// - Parameter afterMigrations: runs once the schema is current, before serving (the demo seed).
public func buildApplication(
    _ components: CrewComponents, logger: Logger, afterMigrations: (@Sendable () async throws -> Void)? = nil
) -> some ApplicationProtocol {
    let configuration = components.configuration
    var app = Application(
        responder: DeadlineResponder(buildRouter(components).buildResponder(), deadline: .seconds(configuration.requestTimeout)),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Crew"),
        services: [components.services.database] + (configuration.backgroundWorkers ? backgroundWorkers(components, logger: logger) : []),
        logger: logger)
    app.beforeServerStarts {
        try await prepareDatabase(components)
        try await afterMigrations?()
    }
    return app
}
