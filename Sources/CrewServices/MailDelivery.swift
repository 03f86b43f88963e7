import CrewCore
import CrewStore
import Foundation
import Logging
import ServiceLifecycle

/// Sends one message somewhere. The SMTP transport plugs in here.
public protocol MailTransport: Sendable {
    func send(_ message: OutboxMessageModel) async throws
}

/// The default transport: writes each message as an `.eml` file (0600) into
/// `<data-dir>/outbox/`, so the embedded default works without a mail server.
/// The log names the file, not the message, because invitation links are secrets.
public struct FolderMailTransport: MailTransport {
    let directory: String
    let logger: Logger

    public init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    public func send(_ message: OutboxMessageModel) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = "\(directory)/\(message.id!.uuidString.lowercased()).eml"
        let text = """
            To: \(message.toAddress)
            Subject: \(message.subject)
            Content-Type: text/plain; charset=utf-8

            \(message.textBody)

            """
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw DomainError.unavailable("cannot write \(path)")
        }
        logger.info("mail written to the outbox folder", metadata: ["to": "\(message.toAddress)", "kind": "\(message.kind)", "file": "\(path)"])
    }
}

/// Delivers due outbox messages in the background, retrying failures with
/// exponential backoff until `maxAttempts`, then marking them failed.
public struct MailDeliveryService: Service, CustomStringConvertible {
    /// Short, so lifecycle logs never print the configuration it holds.
    public var description: String { "MailDeliveryService" }

    let database: DatabaseService
    let transport: any MailTransport
    let clock: CrewClock
    let interval: Duration
    let maxAttempts: Int
    let logger: Logger

    public init(database: DatabaseService, transport: any MailTransport, clock: CrewClock, interval: Duration = .seconds(1), maxAttempts: Int = 8, logger: Logger) {
        self.database = database
        self.transport = transport
        self.clock = clock
        self.interval = interval
        self.maxAttempts = maxAttempts
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            do {
                _ = try await deliverDue()
            } catch {
                logger.warning("mail delivery round failed", metadata: ["error": "\(error)"])
            }
            // Graceful shutdown ends the wait at once instead of after a whole interval.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Sends every message that is due now.
    /// - Returns: how many were sent.
    public func deliverDue(limit: Int = 50) async throws -> Int {
        let db = database.database(logger: logger)
        let due = try await OutboxMessageModel.query(on: db)
            .filter(\.$sentAt == nil).filter(\.$failedAt == nil).filter(\.$nextAttemptAt <= clock.now)
            .sort(\.$nextAttemptAt).limit(limit).all()
        var sent = 0
        for message in due {
            do {
                try await transport.send(message)
                message.sentAt = clock.now
                sent += 1
            } catch {
                message.attempts += 1
                message.lastError = String(describing: error).prefix(500).description
                if message.attempts >= maxAttempts {
                    message.failedAt = clock.now
                } else {
                    message.nextAttemptAt = clock.now.addingTimeInterval(pow(2, Double(message.attempts)) * 5)
                }
            }
            try await message.update(on: db)
        }
        return sent
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the surrounding task was cancelled or the service group is shutting down.
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
