import CrewCore
import CrewServices
import CrewStore
import Prometheus

/// Everything the HTTP layer calls into, built once by the composition root.
public struct HTTPServices: Sendable {
    public let database: DatabaseService
    public let env: CrewEnvironment
    public let accounts: AccountService
    public let workspaces: WorkspaceService
    public let metrics: PrometheusCollectorRegistry

    public init(database: DatabaseService, env: CrewEnvironment, metrics: PrometheusCollectorRegistry) {
        self.database = database
        self.env = env
        self.accounts = AccountService(env: env)
        self.workspaces = WorkspaceService(env: env)
        self.metrics = metrics
    }

    /// A database handle whose log lines carry the request's id.
    public func db(_ context: AppRequestContext) -> any Database {
        database.database(logger: context.logger)
    }

    /// Whether cookies must carry `Secure` (the public address is https).
    public var secureCookies: Bool { env.publicURL.hasPrefix("https://") }
}
