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
    /// Bodies that several mails share are sealed and stored once
    /// (`MailBodyModel`): a notice to 1,000 people is one text, not 1,000 copies.
    public func enqueue(_ mails: [OutgoingMail], on db: any Database) async throws {
        guard !mails.isEmpty else { return }
        let now = clock.now
        let sql = db as! any SQLDatabase
        let shared = try await storeSharedBodies(of: mails, at: now, on: sql)
        for start in stride(from: 0, to: mails.count, by: 500) {
            var insert = sql.insert(into: OutboxMessageModel.schema).columns(
                "id", "workspace_id", "kind", "to_address", "subject", "text_body", "html_body", "body_id", "invitation_id", "created_at",
                "next_attempt_at", "attempts")
            for mail in mails[start..<min(start + 500, mails.count)] {
                let bodyID = shared[BodyKey(mail)]
                insert = insert.values([
                    SQLBind(UUID()), SQLBind.orNull(mail.workspaceID), SQLBind(mail.kind), SQLBind(mail.to), SQLBind(mail.subject),
                    SQLBind(bodyID == nil ? MailBody.seal(mail.text, with: sealer) : ""),
                    SQLBind(bodyID == nil ? MailBody.seal(mail.html, with: sealer) : ""), SQLBind.orNull(bodyID),
                    SQLBind.orNull(mail.invitationID), SQLBind(now), SQLBind(now), SQLBind(0),
                ])
            }
            try await insert.run()
        }
    }

    private struct BodyKey: Hashable {
        let text: String
        let html: String
        init(_ mail: OutgoingMail) { (text, html) = (mail.text, mail.html) }
    }

    /// Stores once each pair of bodies more than one of `mails` has; their ids.
    private func storeSharedBodies(of mails: [OutgoingMail], at now: Date, on sql: any SQLDatabase) async throws -> [BodyKey: UUID] {
        var counts: [BodyKey: Int] = [:]
        for mail in mails { counts[BodyKey(mail), default: 0] += 1 }
        var ids: [BodyKey: UUID] = [:]
        for (key, count) in counts where count > 1 {
            let id = UUID()
            try await sql.insert(into: MailBodyModel.schema).columns("id", "text_body", "html_body", "created_at")
                .values(SQLBind(id), SQLBind(MailBody.seal(key.text, with: sealer)), SQLBind(MailBody.seal(key.html, with: sealer)), SQLBind(now))
                .run()
            ids[key] = id
        }
        return ids
    }
}

/// Sealed outbox bodies, marked so rows written before sealing still read.
public enum MailBody {
    static let marker = "sealed:"

    static func seal(_ body: String, with sealer: SecretSealer) -> String {
        marker + sealer.seal(body)
    }

    /// The stored (sealed) text and HTML bodies of `message`: its own, or the
    /// ones it shares with the rest of its batch.
    /// Nil when its shared bodies are missing.
    public static func stored(for message: OutboxMessageModel, on db: any Database) async throws -> (text: String, html: String)? {
        var shared: [UUID: MailBodyModel] = [:]
        if let bodyID = message.bodyID { shared[bodyID] = try await MailBodyModel.find(bodyID, on: db) }
        return stored(for: message, shared: shared)
    }

    /// `stored(for:on:)` with the shared bodies already read (a delivery round reads its batch's at once).
    static func stored(for message: OutboxMessageModel, shared: [UUID: MailBodyModel]) -> (text: String, html: String)? {
        guard let bodyID = message.bodyID else { return (message.textBody, message.htmlBody) }
        return shared[bodyID].map { ($0.textBody, $0.htmlBody) }
    }

    /// The body in the clear; `nil` when it was sealed under another key.
    public static func open(_ stored: String, with sealer: SecretSealer) -> String? {
        guard stored.hasPrefix(marker) else { return stored }
        return sealer.open(String(stored.dropFirst(marker.count)))
    }
}
