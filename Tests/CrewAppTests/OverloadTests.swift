import CrewCore
import CrewHTTP
import CrewStore
import CrewTestSupport
import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import AsyncHTTPClient

/// A database that answers too slowly, and more requests than Crew should take
/// at once, get a fast 503 with a retry hint, never a hang or a 500.
@Suite struct OverloadTests {
    @Test func noFreeConnectionIs503AfterTheConfiguredWaitAndRecovers() async throws {
        try await TestApp.run(environment: ["CREW_DB_POOL_SIZE": "1", "CREW_DB_POOL_TIMEOUT": "1"]) { app in
            let owner = try await app.signup("Olga")
            let databases = app.services.database.databases
            let loops = Array(databases.eventLoopGroup.makeIterator())
            // Every connection of every event loop is busy until the test lets go,
            // so an answer before that can only be the pool's wait running out.
            let released = Latch()
            let (held, holding) = AsyncStream.makeStream(of: Void.self)
            let holders = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for loop in loops {
                        group.addTask {
                            try await databases.database(logger: app.logs.logger(), on: loop)!.withConnection { _ in
                                holding.yield()
                                try await released.wait()
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var iterator = held.makeAsyncIterator()
            for _ in loops { await iterator.next() }

            // A list of the person's tokens reads through the pool on both databases.
            let refused = try await app.client.send(.get, "/api/v1/me/tokens", token: owner.token)
            #expect(refused.status == .serviceUnavailable, "answered after the pool timeout, while the database is still busy")
            #expect(refused.problem?.code == "unavailable")
            #expect(refused.headers[.retryAfter] == "1")
            let health = try await app.client.send(.get, "/health")
            #expect(health.status == .serviceUnavailable)
            #expect(health.object["database"] as? String == "unreachable")
            // SQLite reads the session and the person's workspaces on the
            // request's own thread (SQLiteInlineReader): no pooled connection needed.
            let me = try await app.client.send(.get, "/api/v1/me", token: owner.token)
            #expect(me.status == (TestDatabase.isPostgres ? .serviceUnavailable : .ok))

            released.open()
            try await holders.value
            #expect(try await app.client.send(.get, "/api/v1/me/tokens", token: owner.token).status == .ok, "recovers by itself")
            #expect(try await app.client.send(.get, "/health").status == .ok)
        }
    }

    /// Six requests at once with room for two: the two admitted are held until
    /// the other four have their answers, so all six overlap however slowly
    /// the machine runs (a handler that slept a fixed time could finish before
    /// the last requests arrived, and let them in).
    @Test func requestsBeyondTheInFlightLimitAreShedAtOnce() async throws {
        let admitted = Atomic<Int>(0)
        let released = Latch()
        let router = Router()
        router.add(middleware: InFlightLimitMiddleware(limit: 2))
        router.get("slow") { _, _ in
            admitted.add(1, ordering: .sequentiallyConsistent)
            try await released.wait()
            return "done"
        }
        let app = Application(router: router)
        try await app.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)/slow"
            // Separate connections, as six browsers would open; answers in the order they come.
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let answer = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
                        return (Int(answer.status.code), answer.headers.first(name: "Content-Type"))
                    }
                }
                var statuses: [(Int, String?)] = []
                while let answer = try await group.next() {
                    statuses.append(answer)
                    if statuses.count == 4 { released.open() }
                }
                return statuses
            }
            #expect(admitted.load(ordering: .sequentiallyConsistent) == 2, "two were let in")
            #expect(statuses.prefix(4).allSatisfy { $0.0 == 503 && $0.1 == "application/problem+json" }, "\(statuses)")
            #expect(statuses.suffix(2).allSatisfy { $0.0 == 200 }, "\(statuses)")
            #expect(try await client.execute(uri: "/slow", method: .get).status == .ok, "capacity comes back")
        }
    }

    /// The slow work ends only when the test lets it, after the answer came:
    /// that answer can only be the deadline's, however slowly the machine runs.
    @Test func aRequestPastItsDeadlineIs503AndOthersAreUntouched() async throws {
        let released = Latch()
        let router = Router()
        router.get("slow") { _, _ in
            try await released.wait()
            return "late"
        }
        router.get("fast") { _, _ in "quick" }
        let app = Application(responder: DeadlineResponder(router.buildResponder(), deadline: .milliseconds(300)))
        try await app.test(.live) { client in
            let slow = try await client.execute(uri: "/slow", method: .get)
            released.open()
            #expect(slow.status == .serviceUnavailable, "answered at the deadline, while the work still runs")
            #expect(slow.headers[.contentType] == "application/problem+json")
            #expect(slow.headers[.retryAfter] == "1")
            let fast = try await client.execute(uri: "/fast", method: .get)
            #expect(fast.status == .ok && String(buffer: fast.body) == "quick")
        }
    }
}
