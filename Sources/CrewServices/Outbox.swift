import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// A mail to send, as the outbox stores it.
public struct OutgoingMail: Sendable {
    public var kind: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    public var workspaceID: UUID?
    public var invitationID: UUID?

    public init(kind: String, to: String, subject: String, text: String, html: String, workspaceID: UUID? = nil, invitationID: UUID? = nil) {
        self.kind = kind
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.workspaceID = workspaceID
        self.invitationID = invitationID
    }
}

/// Queues mail in the database in the caller's transaction, so a change and its
/// mail commit together and a failed send loses nothing. Bodies are sealed:
/// invitation mails carry single-use links, which are secrets at rest.
public struct Outbox: Sendable {
    let clock: CrewClock
    let sealer: SecretSealer

    public init(env: CrewEnvironment) {
        self.clock = env.clock
        self.sealer = env.sealer
    }

    public func enqueue(_ mail: OutgoingMail, on db: any Database) async throws {
        try await enqueue([mail], on: db)
    }

    /// Mails in plain multi-row inserts (a bulk removal writes 1,000 notices).
    /// Identical bodies are sealed once: a notice to 1,000 people is one text.
    public func enqueue(_ mails: [OutgoingMail], on db: any Database) async throws {
        guard !mails.isEmpty else { return }
        var sealed: [String: String] = [:]
        func seal(_ body: String) -> String {
            if let known = sealed[body] { return known }
            let text = MailBody.seal(body, with: sealer)
            sealed[body] = text
            return text
        }
        let now = clock.now
        let sql = db as! any SQLDatabase
        for start in stride(from: 0, to: mails.count, by: 500) {
            var insert = sql.insert(into: OutboxMessageModel.schema).columns(
                "id", "workspace_id", "kind", "to_address", "subject", "text_body", "html_body", "invitation_id", "created_at",
                "next_attempt_at", "attempts")
            for mail in mails[start..<min(start + 500, mails.count)] {
                insert = insert.values([
                    SQLBind(UUID()), SQLBind.orNull(mail.workspaceID), SQLBind(mail.kind), SQLBind(mail.to), SQLBind(mail.subject),
                    SQLBind(seal(mail.text)), SQLBind(seal(mail.html)), SQLBind.orNull(mail.invitationID), SQLBind(now), SQLBind(now),
                    SQLBind(0),
                ])
            }
            try await insert.run()
        }
    }
}

/// Sealed outbox bodies, marked so rows written before sealing still read.
public enum MailBody {
    static let marker = "sealed:"

    static func seal(_ body: String, with sealer: SecretSealer) -> String {
        marker + sealer.seal(body)
    }

    /// The body in the clear; `nil` when it was sealed under another key.
    public static func open(_ stored: String, with sealer: SecretSealer) -> String? {
        guard stored.hasPrefix(marker) else { return stored }
        return sealer.open(String(stored.dropFirst(marker.count)))
    }
}
