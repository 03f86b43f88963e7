import CrewConnectors
import CrewCore
import CrewServices
import CrewStore
import Foundation
import Prometheus

/// Everything the HTTP layer calls into, built once by the composition root.
public struct HTTPServices: Sendable {
    public let database: DatabaseService
    public let env: CrewEnvironment
    public let accounts: AccountService
    public let passwordResets: PasswordResetService
    public let workspaces: WorkspaceService
    public let members: MemberService
    public let invitations: InvitationService
    public let audit: AuditQuery
    public let connectors: ConnectorRegistry
    public let socialAccounts: SocialAccountService
    public let tokenRefresher: AccountTokenRefresher
    public let posts: PostService
    public let inbox: InboxService
    public let analytics: AnalyticsService
    public let platformSync: PlatformSync
    public let metrics: PrometheusCollectorRegistry

    public init(
        database: DatabaseService, env: CrewEnvironment, connectors: ConnectorRegistry, metrics: PrometheusCollectorRegistry,
        syncInterval: TimeInterval = 300
    ) {
        self.database = database
        self.env = env
        self.accounts = AccountService(env: env)
        self.passwordResets = PasswordResetService(env: env)
        self.workspaces = WorkspaceService(env: env)
        self.members = MemberService(env: env)
        self.invitations = InvitationService(env: env)
        self.audit = AuditQuery()
        self.connectors = connectors
        self.socialAccounts = SocialAccountService(env: env, connectors: connectors)
        self.tokenRefresher = AccountTokenRefresher(env: env, connectors: connectors)
        self.posts = PostService(env: env)
        self.inbox = InboxService(env: env, connectors: connectors)
        self.analytics = AnalyticsService(env: env)
        self.platformSync = PlatformSync(env: env, connectors: connectors, interval: syncInterval)
        self.metrics = metrics
    }

    /// A database handle whose log lines carry the request's id.
    public func db(_ context: AppRequestContext) -> any Database {
        context.database ?? database.database(logger: context.logger)
    }

    /// The caller's access to the workspace named by `:wid` in the path.
    public func access(_ context: AppRequestContext) async throws -> WorkspaceAccess {
        let identity = try context.requireIdentity()
        let workspaceID = try parseID(context.parameters.get("wid"))
        // A token limited to one workspace does not reach the others (as if not a member).
        if let only = identity.tokenWorkspace, only != workspaceID { throw DomainError.notFound("No such workspace.") }
        if let caller = context.callerMembership, caller.workspaceID == workspaceID {
            return WorkspaceAccess(try caller.admitted(at: env.clock.now), userID: identity.userID, actor: context.actor)
        }
        return try await workspaces.access(userID: identity.userID, workspaceID: workspaceID, actor: context.actor, on: db(context))
    }

    /// Whether cookies must carry `Secure` (the public address is https).
    public var secureCookies: Bool { env.publicURL.hasPrefix("https://") }
}
