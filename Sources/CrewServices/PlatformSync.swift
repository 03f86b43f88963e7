import CrewConnectors
import CrewCore
import CrewStore
import FluentSQL
import Foundation
import Logging
import ServiceLifecycle

/// Pulls each connected account's inbox and daily metrics from its platform,
/// every `interval` (`CREW_SYNC_SECONDS`). Accounts are claimed in the database
/// first, so several Crew processes never pull the same account at once.
public struct PlatformSync: Sendable {
    /// Days of history pulled the first time an account is synced.
    public static let firstHistoryDays = 90
    static let lease: TimeInterval = 120

    let env: CrewEnvironment
    let connectors: ConnectorRegistry
    let inbox: InboxService
    let analytics: AnalyticsService
    let tokens: AccountTokenRefresher
    public let interval: TimeInterval

    public init(env: CrewEnvironment, connectors: ConnectorRegistry, interval: TimeInterval = 300) {
        self.env = env
        self.connectors = connectors
        self.inbox = InboxService(env: env, connectors: connectors)
        self.analytics = AnalyticsService(env: env)
        self.tokens = AccountTokenRefresher(env: env, connectors: connectors)
        self.interval = interval
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var synced = 0
        public var failed = 0
        public var newMessages = 0

        public init() {}
    }

    /// Syncs every connected account not synced within the interval (up to `limit`).
    public func syncDue(limit: Int = 20, on db: any Database, logger: Logger) async throws -> Round {
        let now = env.clock.now
        let stale = now.addingTimeInterval(-interval)
        let connected = AccountStatus.connected.rawValue
        let anyDue = try await SocialAccountModel.query(on: db).filter(\.$statusText == connected)
            .group(.or) { $0.filter(\.$inboxSyncedAt == nil).filter(\.$inboxSyncedAt < stale) }
            .group(.or) { $0.filter(\.$syncClaimedUntil == nil).filter(\.$syncClaimedUntil < now) }
            .first() != nil
        guard anyDue else { return Round() }
        let ids = try await WorkClaim.claim(
            SocialAccountModel.schema, pushing: "sync_claimed_until", to: now.addingTimeInterval(Self.lease),
            where: """
                status = \(bind: connected) AND (inbox_synced_at IS NULL OR inbox_synced_at < \(bind: stale))
                AND (sync_claimed_until IS NULL OR sync_claimed_until < \(bind: now))
                """,
            orderBy: ["created_at", "id"], limit: limit, on: db)
        var round = Round()
        for account in try await SocialAccountModel.query(on: db).filter(\.$id ~~ ids).sort(\.$createdAt).sort(\.$id).all() {
            do {
                round.newMessages += try await sync(account, on: db, logger: logger)
                round.synced += 1
            } catch {
                round.failed += 1
                logger.warning("platform sync failed", metadata: ["account": "\(account.id!)", "error": "\(error)"])
                // Tried again after one interval, not on the next round: an account
                // whose platform is unreachable or no longer configured would
                // otherwise be retried, and logged, every few seconds.
                account.syncClaimedUntil = now.addingTimeInterval(interval)
                try? await account.update(on: db)
            }
        }
        return round
    }

    /// Pulls an account the caller sees now (the "Refresh" button); 404 for others.
    @discardableResult
    public func sync(_ access: WorkspaceAccess, accountID: UUID, on db: any Database, logger: Logger) async throws -> Int {
        guard let account = try await SocialAccountModel.find(accountID, on: db), account.workspaceID == access.workspaceID,
            try await access.isAssigned(accountID, on: db)
        else { throw DomainError.notFound("No such social account.") }
        return try await sync(account, on: db, logger: logger)
    }

    /// Pulls one account now: its conversations and the days of metrics since
    /// the last pull (the last known day again, since it may have grown).
    /// - Returns: how many new messages arrived.
    @discardableResult
    public func sync(_ account: SocialAccountModel, on db: any Database, logger: Logger) async throws -> Int {
        guard let profile = account.externalID, let platform = Platform(rawValue: account.platform),
            let connector = connectors.connector(for: platform)
        else { throw DomainError.conflict("\(account.name) is not connected to its platform.") }
        let credentials = try await tokens.usableTokens(of: account, on: db, logger: logger)
        var added = 0
        do {
            added = try await inbox.store(try await connector.conversations(profileID: profile, tokens: credentials), for: account, on: db)
            let today = Day(env.clock.now)
            let start = account.metricsSyncedAt.map { Day($0).adding(-1) } ?? today.adding(-(Self.firstHistoryDays - 1))
            let days = try await connector.dailyMetrics(profileID: profile, from: start.description, to: today.description, tokens: credentials)
            try await analytics.store(days, for: account, on: db)
        } catch let error as ConnectorError {
            throw DomainError.platformFailed(error.describe(platform: account.platform))
        }
        let now = env.clock.now
        account.inboxSyncedAt = now
        account.metricsSyncedAt = now
        account.syncClaimedUntil = nil
        try await account.update(on: db)
        return added
    }
}

/// Runs the sync in the background (`CREW_BACKGROUND_WORKERS`).
public struct PlatformSyncService: Service, CustomStringConvertible {
    public var description: String { "PlatformSyncService" }

    let sync: PlatformSync
    let database: DatabaseService
    let logger: Logger

    public init(sync: PlatformSync, database: DatabaseService, logger: Logger) {
        self.sync = sync
        self.database = database
        self.logger = logger
    }

    public func run() async throws {
        try await BackgroundLoop(database: database, interval: .seconds(15), logger: logger, name: "platform sync").run {
            let round = try await sync.syncDue(on: database.database(logger: logger), logger: logger)
            return round.synced + round.failed == 20
        }
    }
}
