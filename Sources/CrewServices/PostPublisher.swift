import CrewConnectors
import CrewCore
import CrewStore
import FluentSQL
import Foundation
import Logging
import ServiceLifecycle

/// Publishes due posts through their account's connector. Each round claims a
/// batch of posts whose next step is due (`WorkClaim`: several processes share
/// the work, none takes a post another holds), then for each: publishes a
/// scheduled post; for one still waiting for approval at its time, holds it as
/// `expired` or publishes it, as the workspace says. Transient platform
/// failures are retried with backoff; refusals mark the post failed with the
/// platform's message. Posts of people who left still publish: nothing here
/// looks at the author.
public struct PostPublisher: Sendable {
    /// Posts claimed per round.
    public static let batch = 50

    let env: CrewEnvironment
    let connectors: ConnectorRegistry
    let tokens: AccountTokenRefresher
    let retry: RetryPolicy

    public init(env: CrewEnvironment, connectors: ConnectorRegistry, retry: RetryPolicy = RetryPolicy(baseDelay: 30, maxAttempts: 5, lease: 120)) {
        self.env = env
        self.connectors = connectors
        self.tokens = AccountTokenRefresher(env: env, connectors: connectors)
        self.retry = retry
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var published = 0
        public var retried = 0
        public var failed = 0
        public var expired = 0

        public init(published: Int = 0, retried: Int = 0, failed: Int = 0, expired: Int = 0) {
            self.published = published
            self.retried = retried
            self.failed = failed
            self.expired = expired
        }

        var total: Int { published + retried + failed + expired }
    }

    enum Outcome: Sendable { case published, retried, failed, expired }

    /// Handles every post that is due now (up to `limit`), keeping `parallelism`
    /// in flight: a slow platform holds up one slot, not a whole wave.
    public func publishDue(limit: Int = batch, parallelism: Int = 8, on db: any Database, logger: Logger) async throws -> Round {
        let claimed = try await claimDue(limit: limit, on: db)
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            var waiting = claimed.makeIterator()
            for _ in 0..<parallelism {
                guard let post = waiting.next() else { break }
                group.addTask { try await self.handle(post, on: db, logger: logger) }
            }
            var outcomes: [Outcome] = []
            while let outcome = try await group.next() {
                outcomes.append(outcome)
                if let post = waiting.next() { group.addTask { try await self.handle(post, on: db, logger: logger) } }
            }
            return outcomes
        }
        var round = Round()
        for outcome in outcomes {
            switch outcome {
            case .published: round.published += 1
            case .retried: round.retried += 1
            case .failed: round.failed += 1
            case .expired: round.expired += 1
            }
        }
        return round
    }

    private func claimDue(limit: Int, on db: any Database) async throws -> [PostModel] {
        let now = env.clock.now
        let waiting = [PostStatus.scheduled, .pendingApproval, .awaitingClient].map(\.rawValue)
        // Read first, so an idle round never takes SQLite's write lock.
        guard try await PostModel.query(on: db).filter(\.$statusText ~~ waiting).filter(\.$nextAttemptAt <= now).first() != nil else {
            return []
        }
        let ids = try await WorkClaim.claim(
            PostModel.schema, pushing: "next_attempt_at", to: now.addingTimeInterval(retry.lease),
            where: "status IN (\(bind: waiting[0]), \(bind: waiting[1]), \(bind: waiting[2])) AND next_attempt_at <= \(bind: now)",
            orderBy: ["next_attempt_at", "seq"], limit: limit, on: db)
        guard !ids.isEmpty else { return [] }
        // Started in the order they were queued.
        return try await PostModel.query(on: db).filter(\.$id ~~ ids).sort(\.$seq).all()
    }

    private func handle(_ post: PostModel, on db: any Database, logger: Logger) async throws -> Outcome {
        if post.status.awaitsApproval {
            guard let workspace = try await WorkspaceModel.find(post.workspaceID, on: db) else { return .failed }
            if workspace.unapprovedPostPolicy == .hold {
                post.status = .expired
                post.failureDetail = "Approval was still missing at the scheduled time; reschedule and submit it again."
                post.nextAttemptAt = nil
                post.updatedAt = env.clock.now
                try await post.update(on: db)
                return .expired
            }
        }
        let result = await publish(post, on: db, logger: logger)
        let now = env.clock.now
        post.attempts += 1
        post.updatedAt = now
        switch result {
        case .success(let published):
            post.status = .published
            post.publishedAt = published.publishedAt
            post.externalID = published.externalID
            post.externalURL = published.url
            post.failureDetail = nil
            post.nextAttemptAt = nil
            try await post.update(on: db)
            return .published
        case .failure(let failure):
            post.failureDetail = String(failure.detail.prefix(500))
            if failure.transient && post.attempts < retry.maxAttempts {
                post.nextAttemptAt = now.addingTimeInterval(retry.delay(afterAttempt: post.attempts))
                try await post.update(on: db)
                return .retried
            }
            post.status = .failed
            post.nextAttemptAt = nil
            try await post.update(on: db)
            logger.warning("post failed", metadata: ["post": "\(post.id!)", "reason": "\(failure.detail)"])
            return .failed
        }
    }

    struct Failure: Error {
        var transient: Bool
        var detail: String
    }

    private func publish(_ post: PostModel, on db: any Database, logger: Logger) async -> Result<PublishedPost, Failure> {
        guard let account = try? await SocialAccountModel.find(post.accountID, on: db) else {
            return .failure(Failure(transient: true, detail: "The account could not be read; trying again."))
        }
        guard account.status != .disconnected, let profileID = account.externalID, let platform = Platform(rawValue: account.platform),
            let connector = connectors.connector(for: platform)
        else {
            return .failure(Failure(transient: false, detail: "\(account.name) is disconnected; reconnect it and submit the post again."))
        }
        do {
            let credentials = try await tokens.usableTokens(of: account, on: db, logger: logger)
            let content = OutgoingPost(text: PostContent.publishedText(post.text, link: post.link), mediaURLs: post.mediaURLs)
            return .success(try await connector.publish(content, profileID: profileID, tokens: credentials))
        } catch let error as ConnectorError {
            return .failure(Failure(transient: error.isTransient, detail: error.describe(platform: account.platform)))
        } catch let error as DomainError {
            // The account needs reconnecting, or its tokens could not be refreshed: a person may fix it in time.
            return .failure(Failure(transient: true, detail: error.detail))
        } catch {
            return .failure(Failure(transient: true, detail: "\(account.platform) could not be reached; trying again."))
        }
    }
}

/// Runs the publisher in the background (`CREW_BACKGROUND_WORKERS`).
public struct PostPublishingService: Service, CustomStringConvertible {
    public var description: String { "PostPublishingService" }

    let publisher: PostPublisher
    let database: DatabaseService
    let interval: Duration
    let logger: Logger

    public init(publisher: PostPublisher, database: DatabaseService, interval: Duration = .seconds(1), logger: Logger) {
        self.publisher = publisher
        self.database = database
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await BackgroundLoop(database: database, interval: interval, logger: logger, name: "publishing").run {
            try await publisher.publishDue(on: database.database(logger: logger), logger: logger).total == PostPublisher.batch
        }
    }
}
