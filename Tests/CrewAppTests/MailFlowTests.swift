import CrewApp
import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOPosix
import Testing

/// Which changes queue which mails, what those mails say, and how a failed
/// delivery shows up for the people who sent the invitation.
@Suite struct MailFlowTests {
    /// Every queued mail with its stored (sealed) bodies, and those in the clear.
    func mails(_ app: TestApp) async throws -> [(row: OutboxMessageModel, stored: (text: String, html: String), text: String, html: String)] {
        var mails: [(row: OutboxMessageModel, stored: (text: String, html: String), text: String, html: String)] = []
        for row in try await OutboxMessageModel.query(on: app.db).sort(\.$seq).all() {
            let stored = try await MailBody.stored(for: row, on: app.db) ?? ("?", "?")
            let sealer = app.services.env.sealer
            mails.append((row, stored, MailBody.open(stored.text, with: sealer) ?? "?", MailBody.open(stored.html, with: sealer) ?? "?"))
        }
        return mails
    }

    @Test func everyKindIsQueuedSealedWithTextAndHTML() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga Owner")
            let wid = try await app.createWorkspace("Café Ümlaut", as: owner)
            let admin = try await app.addMember("Ada Admin", to: wid, role: .admin)
            let invite = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": "zoe@example.com", "role": "editor"])
            let iid = try #require(invite.object["id"] as? String)
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations/\(iid)/resend", token: owner.token)

            let link = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/client-invite-link", token: owner.token, json: ["requireApproval": true])
            let token = String((link.object["url"] as? String ?? "").split(separator: "/").last ?? "")
            let joiner = try await app.signup("Jo Joiner")
            let waiting = try await app.client.send(.post, "/api/v1/join/\(token)", token: joiner.token)
            let requestID = try #require(waiting.object["requestId"] as? String)
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/join-requests/\(requestID)/approve", token: owner.token)
            let removed = try await app.addMember("Rex Removed", to: wid, role: .editor)
            _ = try await app.client.send(.delete, "/api/v1/workspaces/\(wid)/members/\(removed.memberID)", token: owner.token)

            let all = try await mails(app)
            #expect(all.map(\.row.kind) == ["invitation", "invitation_resent", "join_request", "join_request", "join_approved", "member_removed"])
            #expect(Set(all.filter { $0.row.kind == "join_request" }.map(\.row.toAddress)) == [owner.email, admin.user.email])
            // The two approvers' notice is one stored text; every other mail has its own.
            #expect(Set(all.filter { $0.row.kind == "join_request" }.compactMap(\.row.bodyID)).count == 1)
            #expect(all.filter { $0.row.kind != "join_request" }.allSatisfy { $0.row.bodyID == nil })
            for mail in all {
                #expect(mail.stored.text.hasPrefix("sealed:") && mail.stored.html.hasPrefix("sealed:"))
                #expect(!mail.stored.text.contains("token="), "links are secrets at rest")
                #expect(mail.text.contains("Café Ümlaut"), "\(mail.row.kind)")
                #expect(mail.html.contains("<strong>Café Ümlaut</strong>"), "\(mail.row.kind)")
                #expect(mail.html.contains("href=\"http://127.0.0.1:8080/"), "a clear button link in \(mail.row.kind)")
                #expect(!mail.text.contains("&amp;") && !mail.text.contains("{{"), "text is not HTML-escaped")
            }
            let first = all[0]
            #expect(first.row.subject == "Olga Owner invited you to Café Ümlaut on Crew")
            #expect(first.text.contains("as an editor"))
            #expect(first.text.contains("http://127.0.0.1:8080/invitations/accept?token="))
            #expect(first.text.contains("UTC"), "the expiry is spelled out")
            #expect(all[1].text.contains("Earlier links no longer work"))
            #expect(all[2].text.contains("Jo Joiner (\(joiner.email))"))
            #expect(all.last?.row.toAddress == removed.user.email)
            #expect(all.last?.text.contains("Olga Owner removed you from Café Ümlaut") == true)
        }
    }

    @Test func headerInjectionInARecipientIs422AndQueuesNothing() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            for email in ["a@example.com\r\nBcc: victim@example.com", "a@example.com\nX: y", "\"a\"@example.com", "a@example.com>, b@example.com"] {
                let answer = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": email, "role": "client"])
                #expect(answer.status == .unprocessableContent, "\(email.debugDescription)")
            }
            #expect(try await OutboxMessageModel.query(on: app.db).count() == 0)
        }
    }

    @Test func anUndeliverableInvitationShowsTheReasonAndTheLinkToCopy() async throws {
        // A port nothing listens on: every attempt is refused by the network.
        let port = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let closedPort = port.localAddress!.port!
        try await port.close()
        let environment = ["CREW_SMTP_URL": "smtp://127.0.0.1:\(closedPort)?timeout=2", "CREW_MAIL_MAX_ATTEMPTS": "2", "CREW_MAIL_RETRY_SECONDS": "0.05"]
        try await TestApp.run(environment: environment) { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": "zoe@example.com", "role": "client"])
            // The rounds the app's worker runs, with the transport and retries it is configured with.
            let configuration = app.components.configuration
            let worker = MailDeliveryService(
                database: app.services.database, transport: mailTransport(configuration, logger: app.logs.logger()), env: app.services.env,
                retry: configuration.mail.retry, logger: app.logs.logger())
            #expect(try await worker.deliverDue() == .init(retried: 1))
            #expect(try await worker.deliverDue() == .init(), "not again before the retry is due")
            app.clock.advance(by: 1)
            #expect(try await worker.deliverDue() == .init(failed: 1))
            let list = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/invitations", token: owner.token)
            let delivery = ((list.object["items"] as? [[String: Any]])?.first?["delivery"] as? [String: Any]) ?? [:]
            #expect(delivery["status"] as? String == "failed")
            #expect(delivery["attempts"] as? Int == 2)
            #expect((delivery["lastError"] as? String)?.contains("could not connect") == true)
            let url = try #require(delivery["acceptUrl"] as? String)
            #expect(url.hasPrefix("http://127.0.0.1:8080/invitations/accept?token="))

            var headers: HTTPFields = [.accept: "text/html"]
            headers[.cookie] = "crew_session=\(owner.token)"
            let page = try await app.client.send(.get, "/w/\(wid)/users", headers: headers)
            #expect(page.text.contains("Email could not be delivered — resend or copy the link."))
            #expect(page.text.contains(url.replacingOccurrences(of: "&", with: "&amp;")))

            // The copied link works like the mailed one.
            let zoe = try await app.signup("Zoe", email: "zoe@example.com")
            let accepted = try await app.client.send(
                .post, "/api/v1/invitations/accept", token: zoe.token, json: ["token": String(url.split(separator: "=").last!)])
            #expect(accepted.status == .created)
        }
    }
}
