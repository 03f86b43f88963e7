import CrewCore
import CrewMail
import CrewStore
import FluentSQL
import Foundation
import Logging
import ServiceLifecycle

/// A queued mail with its bodies opened, ready for a transport.
public struct DeliverableMail: Sendable {
    public var id: UUID
    public var kind: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    public var createdAt: Date
}

/// Why a transport could not hand a mail over. `permanent` failures are not
/// retried (the server refused the recipient, the password is wrong).
public struct MailSendFailure: Error, Sendable, Equatable {
    public var permanent: Bool
    public var detail: String

    public init(permanent: Bool, detail: String) {
        self.permanent = permanent
        self.detail = detail
    }
}

/// Sends one message somewhere: the agency's SMTP server, or a folder.
public protocol MailTransport: Sendable {
    func send(_ mail: DeliverableMail) async throws(MailSendFailure)
}

/// How background work retries: mail delivery (`CREW_MAIL_RETRY_SECONDS`,
/// `CREW_MAIL_MAX_ATTEMPTS`, `CREW_MAIL_LEASE_SECONDS`) and publishing
/// (`CREW_PUBLISH_RETRY_SECONDS`, `CREW_PUBLISH_MAX_ATTEMPTS`).
public struct RetryPolicy: Sendable, Equatable {
    /// The first retry waits this long; each later one twice as long.
    public var baseDelay: TimeInterval
    public var maxAttempts: Int
    /// How long a claimed message is reserved for the process sending it; a
    /// process that dies holding it delays that message by this much.
    public var lease: TimeInterval

    public init(baseDelay: TimeInterval = 30, maxAttempts: Int = 8, lease: TimeInterval = 120) {
        self.baseDelay = baseDelay
        self.maxAttempts = maxAttempts
        self.lease = lease
    }

    public func delay(afterAttempt attempts: Int) -> TimeInterval {
        baseDelay * pow(2, Double(max(0, attempts - 1)))
    }
}

/// Delivers due outbox messages in the background. Each round claims a batch
/// (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several processes share the work
/// without sending twice), pushes their next attempt past a lease, sends them
/// outside the transaction, and marks each sent, retried with backoff, or failed.
/// A crash between sending and marking re-sends that one message once the
/// lease ends: at most one duplicate, never a lost mail.
public struct MailDeliveryService: Service, CustomStringConvertible {
    /// Short, so lifecycle logs never print the configuration it holds.
    public var description: String { "MailDeliveryService" }

    /// Messages claimed per round.
    static let batch = 50

    let database: DatabaseService
    let transport: any MailTransport
    let env: CrewEnvironment
    let retry: RetryPolicy
    let interval: Duration
    let logger: Logger

    public init(
        database: DatabaseService, transport: any MailTransport, env: CrewEnvironment, retry: RetryPolicy = .init(),
        interval: Duration = .seconds(1), logger: Logger
    ) {
        self.database = database
        self.transport = transport
        self.env = env
        self.retry = retry
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await BackgroundLoop(database: database, interval: interval, logger: logger, name: "mail delivery").run {
            // A full batch means more may be waiting: go again at once.
            let round = try await deliverDue(limit: Self.batch)
            return round.sent + round.retried + round.failed == Self.batch
        }
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var sent = 0
        public var retried = 0
        public var failed = 0

        public init(sent: Int = 0, retried: Int = 0, failed: Int = 0) {
            self.sent = sent
            self.retried = retried
            self.failed = failed
        }

        mutating func count(_ outcome: Outcome) {
            switch outcome {
            case .sent: sent += 1
            case .retried: retried += 1
            case .failed: failed += 1
            }
        }
    }

    /// Sends every message that is due now (up to `limit`), `parallelism` at a
    /// time (one SMTP connection each), starting them in the order they were
    /// queued. A mail waits while an earlier one to the same person is still
    /// on its way, so an invitation never arrives after its resend.
    public func deliverDue(limit: Int = 50, parallelism: Int = 4) async throws -> Round {
        let db = database.database(logger: logger)
        let claimed = try await claimDue(limit: limit, on: db)
        let sharedIDs = Set(claimed.compactMap(\.bodyID))
        let shared = sharedIDs.isEmpty ? [:] : Dictionary(
            uniqueKeysWithValues: try await MailBodyModel.query(on: db).filter(\.$id ~~ Array(sharedIDs)).all().map { ($0.id!, $0) })
        return try await withThrowingTaskGroup(of: (recipient: String, outcome: Outcome).self) { group in
            var round = Round()
            var sending: Set<String> = []
            func settled(_ done: (recipient: String, outcome: Outcome)) {
                sending.remove(done.recipient)
                round.count(done.outcome)
            }
            for message in claimed {
                let recipient = message.toAddress.lowercased()
                while sending.count >= max(1, parallelism) || sending.contains(recipient), let done = try await group.next() {
                    settled(done)
                }
                sending.insert(recipient)
                let bodies = MailBody.stored(for: message, shared: shared)
                group.addTask { (recipient, try await self.settle(message, bodies: bodies, on: db)) }
            }
            while let done = try await group.next() { settled(done) }
            return round
        }
    }

    enum Outcome: Sendable { case sent, retried, failed }

    /// Sends one claimed message and records what happened to it.
    /// - Parameter bodies: its stored text and HTML bodies (nil: its shared bodies are missing).
    private func settle(_ message: OutboxMessageModel, bodies: (text: String, html: String)?, on db: any Database) async throws -> Outcome {
        let result = await deliver(message, bodies: bodies)
        let now = env.clock.now
        let outcome: Outcome
        switch result {
        case .success:
            message.sentAt = now
            message.lastError = nil
            outcome = .sent
        case .failure(let failure):
            message.attempts += 1
            message.lastError = String(failure.detail.prefix(500))
            if failure.permanent || message.attempts >= retry.maxAttempts {
                message.failedAt = now
                outcome = .failed
                logger.warning("mail delivery failed", metadata: ["kind": "\(message.kind)", "to": "\(message.toAddress)", "reason": "\(failure.detail)"])
            } else {
                message.nextAttemptAt = now.addingTimeInterval(retry.delay(afterAttempt: message.attempts))
                outcome = .retried
            }
        }
        try await message.update(on: db)
        return outcome
    }

    private func deliver(_ message: OutboxMessageModel, bodies: (text: String, html: String)?) async -> Result<Void, MailSendFailure> {
        guard let bodies else { return .failure(MailSendFailure(permanent: true, detail: "the message's shared bodies are missing")) }
        guard let text = MailBody.open(bodies.text, with: env.sealer), let html = MailBody.open(bodies.html, with: env.sealer) else {
            return .failure(MailSendFailure(permanent: true, detail: "the message was sealed under another CREW_SECRET_KEY"))
        }
        let mail = DeliverableMail(
            id: message.id!, kind: message.kind, to: message.toAddress, subject: message.subject, text: text, html: html,
            createdAt: message.createdAt)
        do {
            try await transport.send(mail)
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// Takes a batch of due messages for this process and reserves them for the
    /// lease, in one statement: no read-then-write transaction that SQLite could
    /// refuse as busy, and on PostgreSQL rows other processes hold are skipped.
    private func claimDue(limit: Int, on db: any Database) async throws -> [OutboxMessageModel] {
        let now = env.clock.now
        // A read first: an UPDATE takes SQLite's write lock even when it matches
        // nothing, and would contend with requests every round for no mail.
        let anyDue = try await OutboxMessageModel.query(on: db)
            .filter(\.$sentAt == nil).filter(\.$failedAt == nil).filter(\.$nextAttemptAt <= now).first() != nil
        guard anyDue else { return [] }
        let ids = try await WorkClaim.claim(
            OutboxMessageModel.schema, pushing: "next_attempt_at", to: now.addingTimeInterval(retry.lease),
            where: "sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= \(bind: now)", orderBy: ["next_attempt_at", "seq"],
            limit: limit, on: db)
        guard !ids.isEmpty else { return [] }
        return try await OutboxMessageModel.query(on: db).filter(\.$id ~~ ids).sort(\.$seq).all()
    }
}
