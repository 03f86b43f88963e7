import CrewCore
import CrewStore
import Foundation
import Mustache

/// The mails Crew sends, each as text and HTML from Mustache templates in
/// `Resources/mail` (`<kind>_text`, `<kind>_html`, sharing `layout_html` and
/// `button_html`). Loaded once, synchronously, the first time a mail is composed.
public enum MailTemplates {
    /// What every template can show. Stored properties only: Mustache reads
    /// values by reflection.
    struct Model {
        var subject: String
        var workspaceName: String
        var buttonURL: String
        var buttonText: String
        var inviterName = ""
        var roleText = ""
        var expiresText = ""
        /// When the access an invitation gives ends; empty: never.
        var accessEndText: String?
        var resent = false
        var joinerName = ""
        var joinerEmail = ""
        var approverName = ""
        var removerName = ""
        var recipientName = ""
        /// About the person's Crew account, not a workspace (the footer says so).
        var accountMail = false
    }

    static let library: MustacheLibrary = {
        guard let base = Bundle.module.resourcePath.map({ $0 + "/mail" }),
            let names = try? FileManager.default.contentsOfDirectory(atPath: base)
        else { preconditionFailure("the mail templates are missing from the bundle") }
        var templates: [String: MustacheTemplate] = [:]
        for file in names where file.hasSuffix(".mustache") {
            // A broken template is a build defect; tests render every kind.
            let text = try! String(contentsOfFile: base + "/" + file, encoding: .utf8)
            templates[String(file.dropLast(".mustache".count))] = try! MustacheTemplate(string: text)
        }
        return MustacheLibrary(templates: templates)
    }()

    /// Renders one kind into a mail for the outbox.
    /// - Parameter template: the templates' name when it differs from the kind.
    static func compose(
        _ kind: String, template: String? = nil, to: String, _ model: Model, workspaceID: UUID?, invitationID: UUID? = nil
    ) -> OutgoingMail {
        let name = template ?? kind
        let text = library.render(model, withTemplate: name + "_text") ?? model.subject
        let html = library.render(model, withTemplate: name + "_html") ?? ""
        return OutgoingMail(
            kind: kind, to: to, subject: model.subject, text: text.trimmingWhitespace() + "\n", html: html,
            workspaceID: workspaceID, invitationID: invitationID)
    }

    /// `2 December 2026, 14:05 UTC`: unambiguous for every reader.
    static func dateText(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return String(format: "%d %@ %d, %02d:%02d UTC", c.day!, months[c.month! - 1], c.year!, c.hour!, c.minute!)
    }
}

/// The mails, one function each, so callers name what they send.
enum CrewMails {
    static func invitation(_ invitation: InvitationModel, workspaceName: String, acceptURL: String, resent: Bool) -> OutgoingMail {
        let article = invitation.role == .admin || invitation.role == .editor ? "an" : "a"
        let model = MailTemplates.Model(
            subject: resent
                ? "Reminder: \(invitation.invitedByName) invited you to \(workspaceName) on Crew"
                : "\(invitation.invitedByName) invited you to \(workspaceName) on Crew",
            workspaceName: workspaceName, buttonURL: acceptURL, buttonText: "Accept the invitation",
            inviterName: invitation.invitedByName, roleText: "\(article) \(invitation.role.rawValue)",
            expiresText: MailTemplates.dateText(invitation.expiresAt), accessEndText: invitation.accessUntil.map(MailTemplates.dateText),
            resent: resent)
        return MailTemplates.compose(
            resent ? "invitation_resent" : "invitation", template: "invitation", to: invitation.email, model,
            workspaceID: invitation.workspaceID, invitationID: invitation.id)
    }

    static func joinRequest(joinerName: String, joinerEmail: String, workspaceName: String, workspaceID: UUID, to: String, publicURL: String) -> OutgoingMail {
        MailTemplates.compose(
            "join_request", to: to,
            MailTemplates.Model(
                subject: "\(joinerName) is waiting to join \(workspaceName)", workspaceName: workspaceName,
                buttonURL: "\(publicURL)/w/\(workspaceID.apiString)/users", buttonText: "Review the request",
                joinerName: joinerName, joinerEmail: joinerEmail),
            workspaceID: workspaceID)
    }

    static func joinApproved(workspaceName: String, workspaceID: UUID, approverName: String, to: String, publicURL: String) -> OutgoingMail {
        MailTemplates.compose(
            "join_approved", to: to,
            MailTemplates.Model(
                subject: "You joined \(workspaceName) on Crew", workspaceName: workspaceName,
                buttonURL: "\(publicURL)/w/\(workspaceID.apiString)", buttonText: "Open \(workspaceName)", approverName: approverName),
            workspaceID: workspaceID)
    }

    static func memberRemoved(workspaceName: String, workspaceID: UUID, removerName: String, to: String, publicURL: String) -> OutgoingMail {
        MailTemplates.compose(
            "member_removed", to: to,
            MailTemplates.Model(
                subject: "You were removed from \(workspaceName) on Crew", workspaceName: workspaceName,
                buttonURL: "\(publicURL)/", buttonText: "Open Crew", removerName: removerName),
            workspaceID: workspaceID)
    }

    static func accessEnded(workspaceName: String, workspaceID: UUID, to: String, publicURL: String) -> OutgoingMail {
        MailTemplates.compose(
            "access_ended", to: to,
            MailTemplates.Model(
                subject: "Your access to \(workspaceName) on Crew has ended", workspaceName: workspaceName,
                buttonURL: "\(publicURL)/", buttonText: "Open Crew"),
            workspaceID: workspaceID)
    }

    static func accessEnding(workspaceName: String, workspaceID: UUID, until: Date, to: String, name: String, publicURL: String) -> OutgoingMail {
        MailTemplates.compose(
            "access_ending", to: to,
            MailTemplates.Model(
                subject: "Your access to \(workspaceName) on Crew ends on \(MailTemplates.dateText(until))", workspaceName: workspaceName,
                buttonURL: "\(publicURL)/w/\(workspaceID.apiString)", buttonText: "Open \(workspaceName)",
                expiresText: MailTemplates.dateText(until), recipientName: name),
            workspaceID: workspaceID)
    }

    static func accountLocked(to: String, name: String, until: Date, resetURL: String) -> OutgoingMail {
        MailTemplates.compose(
            "account_locked", to: to,
            MailTemplates.Model(
                subject: "Log-in to your Crew account is paused", workspaceName: "", buttonURL: resetURL, buttonText: "Set a new password",
                expiresText: MailTemplates.dateText(until), recipientName: name, accountMail: true),
            workspaceID: nil)
    }

    static func passwordReset(to: String, name: String, resetURL: String, expiresAt: Date) -> OutgoingMail {
        MailTemplates.compose(
            "password_reset", to: to,
            MailTemplates.Model(
                subject: "Set a new password for Crew", workspaceName: "", buttonURL: resetURL, buttonText: "Set a new password",
                expiresText: MailTemplates.dateText(expiresAt), recipientName: name, accountMail: true),
            workspaceID: nil)
    }
}
