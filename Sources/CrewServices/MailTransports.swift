import CrewCore
import CrewMail
import Foundation
import Logging

/// The sender every mail names (`CREW_MAIL_FROM`).
public typealias MailSender = MIMEMessage.Mailbox

extension DeliverableMail {
    /// The wire form. The Message-ID comes from the outbox row, so a message
    /// sent twice after a crash carries the same id and readers see one mail.
    func mime(from sender: MailSender) -> MIMEMessage {
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "crew.invalid"
        return MIMEMessage(
            from: sender, to: .init(address: to), subject: subject, text: text, html: html, date: createdAt,
            messageID: "<\(id.uuidString.lowercased())@\(domain)>")
    }
}

/// Hands mail to the agency's provider over SMTP.
public struct SMTPMailTransport: MailTransport {
    let client: SMTPClient
    let sender: MailSender

    public init(settings: SMTPSettings, sender: MailSender) {
        self.client = SMTPClient(settings: settings)
        self.sender = sender
    }

    public func send(_ mail: DeliverableMail) async throws(MailSendFailure) {
        do {
            try await client.send(mail.mime(from: sender))
        } catch {
            throw MailSendFailure(permanent: !error.isTransient, detail: error.description)
        }
    }
}

/// The default transport: writes each message as an `.eml` file (0600) into
/// `<data-dir>/outbox/`, so the embedded default works without a mail server.
/// The log names the file, not the message, because invitation links are secrets.
public struct FolderMailTransport: MailTransport {
    let directory: String
    let sender: MailSender
    let logger: Logger

    public init(directory: String, sender: MailSender, logger: Logger) {
        self.directory = directory
        self.sender = sender
        self.logger = logger
    }

    public func send(_ mail: DeliverableMail) async throws(MailSendFailure) {
        let path = "\(directory)/\(mail.id.uuidString.lowercased()).eml"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailSendFailure(permanent: false, detail: "cannot create \(directory)")
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(mail.mime(from: sender).rendered().utf8), attributes: [.posixPermissions: 0o600]) else {
            throw MailSendFailure(permanent: false, detail: "cannot write \(path)")
        }
        logger.info("mail written to the outbox folder", metadata: ["to": "\(mail.to)", "kind": "\(mail.kind)", "file": "\(path)"])
    }
}
