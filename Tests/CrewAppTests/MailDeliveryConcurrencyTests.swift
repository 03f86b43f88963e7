import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Several delivery workers (as in several Crew processes on one database)
/// share the outbox without sending any message twice or skipping one.
@Suite struct MailDeliveryConcurrencyTests {
    /// Where the workers hand messages: it only counts them (the SMTP side is
    /// tested against a real server in Tests/mail).
    final class CountingTransport: MailTransport {
        let sent = Mutex<[UUID: Int]>([:])
        /// What each recipient was sent: text and HTML.
        let bodies = Mutex<[String: [String]]>([:])

        func send(_ mail: DeliverableMail) async throws(MailSendFailure) {
            // A little latency, like a real server, so claims overlap.
            try? await Task.sleep(for: .milliseconds(2))
            sent.withLock { $0[mail.id, default: 0] += 1 }
            bodies.withLock { $0[mail.to, default: []].append(mail.text + "|" + mail.html) }
        }
    }

    @Test func fourWorkersDeliverEachOfTwoHundredMailsExactlyOnce() async throws {
        // The app's own worker is off in tests (TestApp): only the four below deliver.
        try await TestApp.run(environment: ["CREW_DB_POOL_SIZE": "4"]) { app in
            let outbox = Outbox(env: app.services.env)
            let mails = (0..<200).map { n in
                OutgoingMail(kind: "test", to: "person\(n)@example.com", subject: "Hello \(n)", text: "text", html: "<p>html</p>")
            }
            try await outbox.enqueue(mails, on: app.db)
            let transport = CountingTransport()
            let workers = (0..<4).map { _ in
                MailDeliveryService(database: app.services.database, transport: transport, env: app.services.env, logger: app.logs.logger())
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in workers {
                    group.addTask {
                        while try await worker.deliverDue(limit: 10).sent > 0 {}
                    }
                }
                try await group.waitForAll()
            }
            let counts = transport.sent.withLock { $0 }
            #expect(counts.count == 200, "every message went out")
            #expect(counts.values.allSatisfy { $0 == 1 }, "none twice")
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$sentAt == nil).count() == 0)
        }
    }

    /// Mails of one batch that share their bodies (stored once) and mails with
    /// their own: every recipient gets exactly their text and HTML.
    @Test func sharedBodiesReachEveryRecipient() async throws {
        try await TestApp.run { app in
            let shared = (0..<20).map { n in
                OutgoingMail(kind: "notice", to: "shared\(n)@example.com", subject: "Notice", text: "the notice é", html: "<p>the notice</p>")
            }
            let own = (0..<10).map { n in
                OutgoingMail(kind: "own", to: "own\(n)@example.com", subject: "Yours", text: "for \(n)", html: "<p>for \(n)</p>")
            }
            try await Outbox(env: app.services.env).enqueue(shared + own, on: app.db)
            #expect(try await MailBodyModel.query(on: app.db).count() == 1)
            let transport = CountingTransport()
            let worker = MailDeliveryService(database: app.services.database, transport: transport, env: app.services.env, logger: app.logs.logger())
            while try await worker.deliverDue(limit: 7).sent > 0 {}
            let bodies = transport.bodies.withLock { $0 }
            #expect(bodies.count == 30)
            for n in 0..<20 { #expect(bodies["shared\(n)@example.com"] == ["the notice é|<p>the notice</p>"]) }
            for n in 0..<10 { #expect(bodies["own\(n)@example.com"] == ["for \(n)|<p>for \(n)</p>"]) }
        }
    }
}
