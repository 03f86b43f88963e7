import CrewConnectors
import CrewCore
import CrewStore
import FluentSQL
import Foundation
import Logging
import ServiceLifecycle

/// Keeps connected accounts' tokens alive: refreshes access tokens shortly
/// before they expire and marks an account `needs_reconnect` (with an audit
/// event) when the platform no longer accepts its grant. Any number of Crew
/// processes may run it: each refresh is claimed in the database first.
public struct AccountTokenRefresher: Sendable {
    /// Tokens expiring within this margin are refreshed.
    public static let margin: TimeInterval = 600
    /// How long one process holds a claim on an account while refreshing it.
    static let claimLifetime: TimeInterval = 60

    let env: CrewEnvironment
    let connectors: ConnectorRegistry
    let audit: AuditLog

    public init(env: CrewEnvironment, connectors: ConnectorRegistry) {
        self.env = env
        self.connectors = connectors
        self.audit = AuditLog(clock: env.clock)
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var refreshed = 0
        public var needReconnect = 0
        public var failed = 0

        public init() {}
    }

    /// Refreshes every connected account whose token expires within the margin.
    public func refreshDue(limit: Int = 100, on db: any Database, logger: Logger) async throws -> Round {
        let due = try await SocialAccountModel.query(on: db)
            .filter(\.$statusText == AccountStatus.connected.rawValue)
            .filter(\.$tokenExpiresAt <= env.clock.now.addingTimeInterval(Self.margin))
            .sort(\.$tokenExpiresAt).sort(\.$id).limit(limit).all()
        var round = Round()
        for account in due where try await claim(account, on: db) {
            switch await refresh(account, on: db, logger: logger) {
            case .refreshed: round.refreshed += 1
            case .needsReconnect: round.needReconnect += 1
            case .failed: round.failed += 1
            }
        }
        return round
    }

    /// The account's tokens, refreshed first when they are about to expire
    /// (for publishing, the inbox and analytics).
    public func usableTokens(of account: SocialAccountModel, on db: any Database, logger: Logger) async throws -> TokenSet {
        guard account.status == .connected, let tokens = tokens(of: account) else {
            throw DomainError.conflict("\(account.name) needs to be reconnected before Crew can use it.")
        }
        guard tokens.needsRefresh(at: env.clock.now, margin: 60) else { return tokens }
        guard try await claim(account, on: db), case .refreshed = await refresh(account, on: db, logger: logger),
            let fresh = self.tokens(of: account)
        else { throw DomainError.platformFailed("\(account.platform) did not refresh the tokens of \(account.name); try again shortly.") }
        return fresh
    }

    /// Authorizations nobody finished are bookkeeping, not data: a day after
    /// they expired they are dropped.
    public func forgetStaleAttempts(on db: any Database) async throws {
        try await OAuthAttemptModel.query(on: db).filter(\.$expiresAt < env.clock.now.addingTimeInterval(-86_400)).delete()
    }

    // MARK: Steps

    enum Outcome { case refreshed, needsReconnect, failed }

    private func refresh(_ account: SocialAccountModel, on db: any Database, logger: Logger) async -> Outcome {
        guard let platform = Platform(rawValue: account.platform), let connector = connectors.connector(for: platform),
            let tokens = tokens(of: account)
        else { return .failed }
        do {
            let fresh = try await connector.refresh(tokens)
            account.credentialsSealed = env.sealer.seal(String(decoding: try JSONEncoder().encode(fresh), as: UTF8.self))
            account.tokenExpiresAt = fresh.expiresAt
            account.refreshClaimedUntil = nil
            account.updatedAt = env.clock.now
            try await account.update(on: db)
            return .refreshed
        } catch ConnectorError.invalidGrant(let reason) {
            do {
                try await markNeedsReconnect(account, reason: ConnectorError.invalidGrant(reason).describe(platform: account.platform), on: db)
            } catch {
                logger.warning("could not mark account for reconnection", metadata: ["account": "\(account.id!)", "error": "\(error)"])
                return .failed
            }
            return .needsReconnect
        } catch {
            // Network trouble: keep the tokens and try again next round.
            logger.warning("token refresh failed", metadata: ["account": "\(account.id!)", "platform": "\(account.platform)", "error": "\(error)"])
            return .failed
        }
    }

    private func markNeedsReconnect(_ account: SocialAccountModel, reason: String, on db: any Database) async throws {
        try await db.writeTransaction { tx in
            account.status = .needsReconnect
            account.statusDetail = reason
            account.refreshClaimedUntil = nil
            account.updatedAt = env.clock.now
            try await account.update(on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: account.workspaceID, action: "account.needs_reconnect", targetType: "social_account",
                    targetID: account.id!.apiString, targetLabel: "\(account.name) (\(account.platform))",
                    before: ["status": AccountStatus.connected.rawValue], after: ["status": account.statusText, "reason": reason]),
                by: Actor(userID: nil, name: "Crew (token refresh)", ip: nil), on: tx)
        }
    }

    /// Takes the account's refresh claim unless another process holds it.
    private func claim(_ account: SocialAccountModel, on db: any Database) async throws -> Bool {
        let now = env.clock.now
        let claimed = try await (db as! any SQLDatabase).update(SocialAccountModel.schema)
            .set("refresh_claimed_until", to: SQLBind(now.addingTimeInterval(Self.claimLifetime)))
            .where("id", .equal, SQLBind(account.id!))
            .where { group in
                group.where("refresh_claimed_until", .is, SQLLiteral.null).orWhere("refresh_claimed_until", .lessThan, SQLBind(now))
            }
            .returning("id")
            .all()
        return claimed.count == 1
    }

    /// The account's tokens, unsealed; `nil` when disconnected.
    public func tokens(of account: SocialAccountModel) -> TokenSet? {
        guard let sealed = account.credentialsSealed, let json = env.sealer.open(sealed) else { return nil }
        return try? JSONDecoder().decode(TokenSet.self, from: Data(json.utf8))
    }
}

/// Runs the refresher every minute in the background.
public struct AccountTokenRefreshService: Service, CustomStringConvertible {
    /// Short, so lifecycle logs never print the configuration it holds.
    public var description: String { "AccountTokenRefreshService" }

    let refresher: AccountTokenRefresher
    let database: DatabaseService
    let interval: Duration
    let logger: Logger

    public init(refresher: AccountTokenRefresher, database: DatabaseService, interval: Duration = .seconds(60), logger: Logger) {
        self.refresher = refresher
        self.database = database
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await BackgroundLoop(database: database, interval: interval, logger: logger, name: "token refresh").run {
            let db = database.database(logger: logger)
            _ = try await refresher.refreshDue(on: db, logger: logger)
            try await refresher.forgetStaleAttempts(on: db)
            return false
        }
    }
}
