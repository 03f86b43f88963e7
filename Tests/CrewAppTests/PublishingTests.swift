import CrewCore
import CrewSandbox
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The scheduler publishing due posts to the sandbox platform over real HTTP.
@Suite struct PublishingTests {
    @Test func duePostsArePublishedOnceWithTheLinkAndPostsOfRemovedMembersStillGoOut() async throws {
        let clock = TestClock()
        try await SandboxHarness.run(clock: clock) { sandbox in
            try await TestApp.run(environment: sandbox.environment, clock: clock) { app in
                let (owner, wid, account) = try await app.workspaceWithSandboxAccount()
                let manager = try await app.addMember("Mia", to: wid, role: .manager, accounts: [account])
                let later = try await app.writePost("Opening hours", on: [account], in: wid, as: manager.user, at: 7_200, submit: true)[0]
                var body: [String: any Sendable] = ["accountIds": [account], "text": "Sourdough day", "link": "https://bakery.example/sourdough"]
                body["scheduledAt"] = app.time(in: 600)
                body["submit"] = true
                let soon = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts", token: manager.user.token, json: body)
                let soonID = try #require((soon.object["items"] as? [[String: Any]])?.first?["id"] as? String)
                // Mia leaves before her posts are due.
                #expect(try await app.client.send(.delete, "/api/v1/workspaces/\(wid)/members/\(manager.memberID)", token: owner.token).status == .noContent)

                #expect(try await app.publishDue() == .init(), "nothing is due yet")
                clock.advance(by: 700)
                #expect(try await app.publishDue() == .init(published: 1))
                #expect(try await app.publishDue() == .init(), "a published post is not published again")
                let published = try await app.post(soonID, in: wid, as: owner).object
                #expect(published["status"] as? String == "published")
                #expect((published["externalUrl"] as? String)?.hasPrefix("https://sandbox.crew.test/sbx-101/") == true)
                #expect(sandbox.authority.ledger.posts.map(\.text) == ["Sourdough day\n\nhttps://bakery.example/sourdough"])
                clock.advance(by: 7_200)
                #expect(try await app.publishDue() == .init(published: 1))
                #expect(try await app.post(later["id"] as! String, in: wid, as: owner).object["status"] as? String == "published")
                #expect(try await PostModel.query(on: app.db).count() == 2, "removal deleted no post")
            }
        }
    }

    @Test func transientFailuresAreRetriedAndRefusalsFailWithThePlatformsMessage() async throws {
        let clock = TestClock()
        try await SandboxHarness.run(clock: clock) { sandbox in
            try await TestApp.run(environment: sandbox.environment, clock: clock) { app in
                let (owner, wid, account) = try await app.workspaceWithSandboxAccount()
                let flaky = try await app.writePost("Busy day \(SandboxLedger.flakyTag)", on: [account], in: wid, as: owner, at: 60, submit: true)[0]
                let rejected = try await app.writePost("Nope \(SandboxLedger.rejectTag)", on: [account], in: wid, as: owner, at: 60, submit: true)[0]
                clock.advance(by: 61)
                #expect(try await app.publishDue() == .init(retried: 1, failed: 1))
                let failed = try await app.post(rejected["id"] as! String, in: wid, as: owner).object
                #expect(failed["status"] as? String == "failed")
                #expect((failed["failureDetail"] as? String)?.contains("does not accept posts tagged \(SandboxLedger.rejectTag)") == true)
                let waiting = try await app.post(flaky["id"] as! String, in: wid, as: owner).object
                #expect(waiting["status"] as? String == "scheduled")
                #expect(waiting["attempts"] as? Int == 1)
                #expect(try await app.publishDue() == .init(), "the retry waits for its delay")
                clock.advance(by: 61)
                #expect(try await app.publishDue() == .init(published: 1))
                #expect(sandbox.authority.ledger.posts.count == 1)
            }
        }
    }

    @Test func postsStillWaitingForApprovalAreHeldOrPublishedAsTheWorkspaceSays() async throws {
        let clock = TestClock()
        try await SandboxHarness.run(clock: clock) { sandbox in
            try await TestApp.run(environment: sandbox.environment, clock: clock) { app in
                let (owner, wid, account) = try await app.workspaceWithSandboxAccount()
                let editor = try await app.addMember("Eddie", to: wid, role: .editor, accounts: [account])
                let held = try await app.writePost("Held", on: [account], in: wid, as: editor.user, at: 60, submit: true)[0]
                clock.advance(by: 61)
                #expect(try await app.publishDue() == .init(expired: 1))
                #expect(try await app.post(held["id"] as! String, in: wid, as: owner).object["status"] as? String == "expired")

                let settings = try await app.client.send(
                    .patch, "/api/v1/workspaces/\(wid)/post-settings", token: owner.token, json: ["unapprovedPosts": "publish"])
                #expect(settings.object["unapprovedPosts"] as? String == "publish")
                let bad = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/post-settings", token: owner.token, json: ["unapprovedPosts": "maybe"])
                #expect(bad.status == .unprocessableContent)
                let byEditor = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/post-settings", token: editor.user.token, json: ["unapprovedPosts": "hold"])
                #expect(byEditor.status == .forbidden)
                let goes = try await app.writePost("Goes anyway", on: [account], in: wid, as: editor.user, at: 60, submit: true)[0]
                clock.advance(by: 61)
                #expect(try await app.publishDue() == .init(published: 1))
                #expect(try await app.post(goes["id"] as! String, in: wid, as: owner).object["status"] as? String == "published")
            }
        }
    }

    @Test func publishersRunningTogetherPublishEveryPostExactlyOnce() async throws {
        let clock = TestClock()
        try await SandboxHarness.run(clock: clock) { sandbox in
            try await TestApp.run(environment: sandbox.environment.merging(["CREW_DB_POOL_SIZE": "6"]) { $1 }, clock: clock) { app in
                let (owner, wid, account) = try await app.workspaceWithSandboxAccount()
                for batch in 0..<4 {
                    _ = try await app.writePost("Batch \(batch)", on: [account], in: wid, as: owner, at: 60, submit: true)
                }
                let ids = try await PostModel.query(on: app.db).all().map { $0.id! }
                #expect(ids.count == 4)
                // 40 posts: copy the four ten times over, due now.
                for copy in 1..<10 {
                    for id in ids {
                        let original = try #require(try await PostModel.find(id, on: app.db))
                        let post = PostModel()
                        post.text = "\(original.text) #\(copy)"
                        post.workspaceID = original.workspaceID
                        post.accountID = original.accountID
                        post.batchID = original.batchID
                        post.authorUserID = original.authorUserID
                        post.mediaURLsJSON = "[]"
                        post.statusText = original.statusText
                        post.scheduledAt = original.scheduledAt
                        post.timeZone = original.timeZone
                        post.sortAt = original.sortAt
                        post.nextAttemptAt = original.nextAttemptAt
                        post.attempts = 0
                        post.createdAt = original.createdAt
                        post.updatedAt = original.updatedAt
                        try await post.create(on: app.db)
                    }
                }
                clock.advance(by: 61)
                let rounds = try await withThrowingTaskGroup(of: PostPublisher.Round.self) { group in
                    for _ in 0..<4 {
                        group.addTask { try await app.publisher.publishDue(limit: 15, parallelism: 4, on: app.db, logger: app.logs.logger()) }
                    }
                    return try await group.reduce(into: [PostPublisher.Round]()) { $0.append($1) }
                }
                var total = rounds.reduce(0) { $0 + $1.published }
                while total < 40 {
                    let more = try await app.publishDue().published
                    if more == 0 { break }
                    total += more
                }
                #expect(total == 40)
                let texts = sandbox.authority.ledger.posts.map(\.text)
                #expect(texts.count == 40)
                #expect(Set(texts).count == 40, "no post reached the platform twice")
                #expect(try await PostModel.query(on: app.db).filter(\.$statusText == "published").count() == 40)
            }
        }
    }
}
