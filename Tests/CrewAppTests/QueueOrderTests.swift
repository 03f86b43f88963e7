import CrewCore
import CrewSandbox
import CrewServices
@testable import CrewStore
import CrewTestSupport
import Foundation
import Synchronization
import Testing

/// Queues read oldest first keep the order of enqueueing when times are
/// equal: under the test clock every row below is queued in one instant, as
/// an invitation and its resend, or one notice to many people, are in life.
@Suite struct QueueOrderTests {
    /// Records the order mails are handed over in, each after a random short
    /// wait, so mails sent side by side finish in any order.
    final class OrderRecordingTransport: MailTransport {
        let order = Mutex<[String]>([])

        func send(_ mail: DeliverableMail) async throws(MailSendFailure) {
            try? await Task.sleep(for: .microseconds(Int.random(in: 0...3_000)))
            order.withLock { $0.append(mail.subject) }
        }
    }

    /// Thirty mails to three people, queued in one instant by single and
    /// multi-row inserts, with the subjects in the order they were queued.
    func queueThirtyMails(_ app: TestApp) async throws -> [String] {
        let outbox = Outbox(env: app.services.env)
        var queued: [String] = []
        for batch in 0..<6 {
            let mails = (0..<5).map { n in
                let subject = "mail \(batch * 5 + n)"
                return OutgoingMail(kind: "test", to: "person\((batch + n) % 3)@example.com", subject: subject, text: subject, html: "<p>\(subject)</p>")
            }
            if batch % 2 == 0 {
                try await outbox.enqueue(mails, on: app.db)
            } else {
                for mail in mails { try await outbox.enqueue(mail, on: app.db) }
            }
            queued += mails.map(\.subject)
        }
        let rows = try await OutboxMessageModel.query(on: app.db).all()
        #expect(Set(rows.map(\.createdAt)).count == 1, "queued in one instant")
        return queued
    }

    @Test func mailsQueuedInOneInstantAreDeliveredInTheOrderTheyWereQueued() async throws {
        try await TestApp.run { app in
            let queued = try await queueThirtyMails(app)
            let listed = try await OutboxMessageModel.query(on: app.db).sort(\.$seq).all().map(\.subject)
            #expect(listed == queued, "listed in the order queued")

            let transport = OrderRecordingTransport()
            let worker = MailDeliveryService(database: app.services.database, transport: transport, env: app.services.env, logger: app.logs.logger())
            // Rounds of seven, one at a time: the oldest seven each round.
            while try await worker.deliverDue(limit: 7, parallelism: 1).sent > 0 {}
            #expect(transport.order.withLock { $0 } == queued)
        }
    }

    @Test func mailsToOnePersonGoOutInOrderWhileOthersGoSideBySide() async throws {
        try await TestApp.run { app in
            let queued = try await queueThirtyMails(app)
            let recipient = Dictionary(uniqueKeysWithValues: try await OutboxMessageModel.query(on: app.db).all().map { ($0.subject, $0.toAddress) })
            let transport = OrderRecordingTransport()
            let worker = MailDeliveryService(database: app.services.database, transport: transport, env: app.services.env, logger: app.logs.logger())
            while try await worker.deliverDue(limit: 12, parallelism: 4).sent > 0 {}
            let sent = transport.order.withLock { $0 }
            #expect(sent.count == 30 && Set(sent) == Set(queued))
            for person in 0..<3 {
                let address = "person\(person)@example.com"
                #expect(sent.filter { recipient[$0] == address } == queued.filter { recipient[$0] == address }, "\(address)")
            }
        }
    }

    @Test func anInvitationsNewestMailIsItsResendEvenInTheSameInstant() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let invite = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": "zoe@example.com", "role": "client"])
            let iid = try #require(invite.object["id"] as? String)
            for _ in 0..<3 {
                #expect(try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations/\(iid)/resend", token: owner.token).status == .ok)
            }
            // Only the last resend's link works; the newest mail carries it.
            let zoe = try await app.signup("Zoe", email: "zoe@example.com")
            let token = try await app.invitationToken(for: "zoe@example.com")
            let accepted = try await app.client.send(.post, "/api/v1/invitations/accept", token: zoe.token, json: ["token": token])
            #expect(accepted.status == .created, "\(accepted.text)")
            let kinds = try await OutboxMessageModel.query(on: app.db).sort(\.$seq).all().map(\.kind)
            #expect(kinds == ["invitation", "invitation_resent", "invitation_resent", "invitation_resent"])
        }
    }

    @Test func postsDueAtTheSameTimeArePublishedInTheOrderTheyWereScheduled() async throws {
        let clock = TestClock()
        try await SandboxHarness.run(clock: clock) { sandbox in
            try await TestApp.run(environment: sandbox.environment, clock: clock) { app in
                let (owner, wid, account) = try await app.workspaceWithSandboxAccount()
                let texts = (0..<8).map { "Post number \($0)" }
                for text in texts { _ = try await app.writePost(text, on: [account], in: wid, as: owner, at: 600, submit: true) }
                clock.advance(by: 700)
                // Rounds of three, one at a time: the oldest three each round.
                while try await app.publisher.publishDue(limit: 3, parallelism: 1, on: app.db, logger: app.logs.logger()).published > 0 {}
                #expect(sandbox.authority.ledger.posts.map(\.text) == texts)
            }
        }
    }

    /// An installation upgraded to numbered queues: the mails already waiting
    /// are numbered in the order they were created, and new ones come after.
    @Test func theMigrationNumbersWaitingMailsByTheirTimeAndNewOnesAfterThem() async throws {
        try await TestApp.run { app in
            let outbox = Outbox(env: app.services.env)
            // On one connection: SQLite checks a new column's name against the
            // schema a connection last read, and another may not have seen the revert yet.
            try await app.db.withConnection { db in
                try await AddQueueSequences().revert(on: db)
                // Queued later first: the earliest mail is the last row inserted.
                for (n, offset) in [30.0, 10, 20].enumerated() {
                    app.clock.advance(by: offset)
                    try await outbox.enqueue(OutgoingMail(kind: "test", to: "a@example.com", subject: "at \(offset)", text: "t\(n)", html: "h\(n)"), on: db)
                    app.clock.advance(by: -offset)
                }
                try await AddQueueSequences().prepare(on: db)
                try await outbox.enqueue(OutgoingMail(kind: "test", to: "a@example.com", subject: "new", text: "t", html: "h"), on: db)
            }
            let rows = try await OutboxMessageModel.query(on: app.db).sort(\.$seq).all()
            #expect(rows.map(\.subject) == ["at 10.0", "at 20.0", "at 30.0", "new"])
            #expect(rows.map(\.seq) == [1, 2, 3, 4])
        }
    }
}
