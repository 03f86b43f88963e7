import CrewCore
import CrewStore
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
}

/// Queues mail in the database in the caller's transaction, so a change and its
/// mail commit together and a failed send loses nothing.
public struct Outbox: Sendable {
    let clock: CrewClock

    public init(clock: CrewClock) {
        self.clock = clock
    }

    public func enqueue(_ mail: OutgoingMail, on db: any Database) async throws {
        let row = OutboxMessageModel()
        row.kind = mail.kind
        row.toAddress = mail.to
        row.subject = mail.subject
        row.textBody = mail.text
        row.htmlBody = mail.html
        row.workspaceID = mail.workspaceID
        row.invitationID = mail.invitationID
        row.createdAt = clock.now
        row.nextAttemptAt = clock.now
        row.attempts = 0
        try await row.create(on: db)
    }
}

/// The invitation mails. Plain wording; the SMTP work brings richer templates.
enum InvitationMail {
    static func make(
        invitation: InvitationModel, workspaceName: String, acceptURL: String, resent: Bool
    ) -> OutgoingMail {
        let role = invitation.role == .client ? "a client" : "a \(invitation.role.rawValue)"
        let expiry = ISO8601DateFormatter().string(from: invitation.expiresAt)
        let subject = "\(invitation.invitedByName) invited you to \(workspaceName) on Crew"
        let text = """
            \(invitation.invitedByName) invited you to join \(workspaceName) on Crew as \(role).

            Accept the invitation: \(acceptURL)

            The link works once and expires at \(expiry).
            """
        let html = """
            <p>\(escape(invitation.invitedByName)) invited you to join <strong>\(escape(workspaceName))</strong> on Crew as \(role).</p>
            <p><a href="\(escape(acceptURL))">Accept the invitation</a></p>
            <p>The link works once and expires at \(expiry).</p>
            """
        return OutgoingMail(
            kind: resent ? "invitation_resent" : "invitation", to: invitation.email, subject: subject, text: text, html: html,
            workspaceID: invitation.workspaceID, invitationID: invitation.id)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
