import CrewCore
import CrewSandbox
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// Conversations and metrics pulled from the sandbox platform, and who may read them.
@Suite struct InboxAndAnalyticsTests {
    func items(_ answer: TestResponse) -> [[String: Any]] { answer.object["items"] as? [[String: Any]] ?? [] }

    @Test func anAccountThatCannotSyncIsRetriedAfterAnIntervalNotEveryRound() async throws {
        let clock = TestClock()
        try await TestApp.run(clock: clock) { app in
            let owner = try await app.signup("Olga")
            let wid = try #require(UUID(uuidString: try await app.createWorkspace(as: owner)))
            // Marked connected, but no connector for its platform is configured here.
            try await SocialAccountModel(
                workspaceID: wid, platform: Platform.facebook.rawValue, name: "Unreachable", connectedByUserID: nil, createdAt: clock.now,
                externalID: "fb-1"
            ).create(on: app.db)
            let sync = app.services.platformSync
            #expect(try await sync.syncDue(on: app.db, logger: app.logs.logger()).failed == 1)
            #expect(try await sync.syncDue(on: app.db, logger: app.logs.logger()).failed == 0, "not again on the next round")
            clock.advance(by: sync.interval + 1)
            #expect(try await sync.syncDue(on: app.db, logger: app.logs.logger()).failed == 1, "again after one interval")
        }
    }

    @Test func conversationsArePulledRepliedToAssignedAndNewOnesArriveOverTime() async throws {
        let clock = TestClock()
        try await SandboxHarness.run(clock: clock) { sandbox in
            try await TestApp.run(environment: sandbox.environment, clock: clock) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(as: owner)
                _ = try await app.connectSandbox(as: owner, to: wid, profiles: ["sbx-101", "sbx-102"])
                let accounts = try await SocialAccountModel.query(on: app.db).sort(\.$name).all()
                let bakery = try #require(accounts.first { $0.name == "Harbor Bakery" }?.id?.apiString)
                let cycles = try #require(accounts.first { $0.name == "Northside Cycles" }?.id?.apiString)
                let helper = try await app.addMember("Ivy", to: wid, role: .client, permissions: [.manageInbox], accounts: [bakery])
                let viewer = try await app.addMember("Vic", to: wid, role: .client, accounts: [bakery])
                let editor = try await app.addMember("Eddie", to: wid, role: .editor, accounts: [bakery])

                let round = try await app.services.platformSync.syncDue(on: app.db, logger: app.logs.logger())
                #expect(round.synced == 2)
                let path = "/api/v1/workspaces/\(wid)/inbox/conversations"
                let all = items(try await app.client.send(.get, path, token: owner.token))
                // The sandbox lists its newest eight conversations per profile; the
                // newest slot's may not have started yet.
                #expect((14...16).contains(all.count))
                #expect(try await ConversationModel.query(on: app.db).count() == all.count)
                let mine = items(try await app.client.send(.get, path, token: helper.user.token))
                #expect(!mine.isEmpty)
                #expect(mine.allSatisfy { ($0["account"] as? [String: Any])?["id"] as? String == bakery }, "only granted accounts")
                #expect(try await app.client.send(.get, path, token: viewer.user.token).status == .forbidden)
                #expect(try await app.client.send(.get, path + "?accountId=\(cycles)", token: helper.user.token).status == .notFound)
                let otherConversation = try #require(all.first { ($0["account"] as? [String: Any])?["id"] as? String == cycles }?["id"] as? String)
                #expect(try await app.client.send(.get, "\(path)/\(otherConversation)", token: helper.user.token).status == .notFound)

                let cid = try #require(mine.first?["id"] as? String)
                let denied = try await app.client.send(.post, "\(path)/\(cid)/replies", token: viewer.user.token, json: ["text": "Hi"])
                #expect(denied.status == .forbidden)
                let byEditor = try await app.client.send(.post, "\(path)/\(cid)/replies", token: editor.user.token, json: ["text": "Hi"])
                #expect(byEditor.status == .forbidden, "editors need manage_inbox")
                let reply = try await app.client.send(.post, "\(path)/\(cid)/replies", token: helper.user.token, json: ["text": "We open at 7."])
                #expect(reply.status == .created)
                #expect((reply.object["sentBy"] as? [String: Any])?["name"] as? String == "Ivy")
                let thread = try await app.client.send(.get, "\(path)/\(cid)", token: owner.token)
                #expect((thread.object["messages"] as? [[String: Any]])?.last?["text"] as? String == "We open at 7.")
                let empty = try await app.client.send(.post, "\(path)/\(cid)/replies", token: helper.user.token, json: ["text": " "])
                #expect(empty.status == .unprocessableContent)

                let assigned = try await app.client.send(
                    .patch, "\(path)/\(cid)", token: owner.token, json: ["assignedTo": helper.memberID, "status": "closed"])
                #expect((assigned.object["assignedTo"] as? [String: Any])?["name"] as? String == "Ivy")
                let toViewer = try await app.client.send(.patch, "\(path)/\(cid)", token: owner.token, json: ["assignedTo": viewer.memberID])
                #expect(toViewer.status == .unprocessableContent)
                #expect(items(try await app.client.send(.get, path + "?assigned=me&status=closed", token: helper.user.token)).count == 1)
                #expect(try await app.client.send(.get, path + "?status=later", token: owner.token).status == .unprocessableContent)

                // Three hours later the sandbox has a new conversation per profile; a sync picks it up unread.
                for conversation in try await ConversationModel.query(on: app.db).all() {
                    conversation.unread = false
                    try await conversation.update(on: app.db)
                }
                clock.advance(by: 3 * 3_600 + 1)
                #expect(try await app.services.platformSync.syncDue(on: app.db, logger: app.logs.logger()).newMessages >= 2)
                let unread = items(try await app.client.send(.get, path + "?unread=true", token: owner.token))
                #expect(unread.count >= 2)
                #expect(try await ConversationModel.query(on: app.db).count() >= all.count + 2, "Crew keeps conversations the platform stopped listing")
            }
        }
    }

    @Test func reportsSumTheRangeCompareThePreviousPeriodAndExportCSV() async throws {
        let clock = TestClock()
        try await SandboxHarness.run(clock: clock) { sandbox in
            try await TestApp.run(environment: sandbox.environment, clock: clock) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(as: owner)
                _ = try await app.connectSandbox(as: owner, to: wid, profiles: ["sbx-101", "sbx-102"])
                let accounts = try await SocialAccountModel.query(on: app.db).sort(\.$name).all()
                let bakery = try #require(accounts.first { $0.name == "Harbor Bakery" }?.id?.apiString)
                let cycles = try #require(accounts.first { $0.name == "Northside Cycles" }?.id?.apiString)
                let analyst = try await app.addMember("Ana", to: wid, role: .client, permissions: [.viewAnalytics], accounts: [bakery])
                let plain = try await app.addMember("Vic", to: wid, role: .client, accounts: [bakery])
                for account in accounts { try await app.services.platformSync.sync(account, on: app.db, logger: app.logs.logger()) }
                #expect(try await AccountMetricModel.query(on: app.db).count() == 2 * PlatformSync.firstHistoryDays)

                let today = Day(clock.now)
                let from = today.adding(-13).description, to = today.description
                let path = "/api/v1/workspaces/\(wid)/analytics"
                let report = try await app.client.send(.get, path + "?accountId=\(bakery)&from=\(from)&to=\(to)", token: analyst.user.token)
                #expect(report.status == .ok)
                let series = try #require(report.object["series"] as? [[String: Any]])
                #expect(series.count == 14)
                let totals = try #require(report.object["totals"] as? [String: Any])
                #expect(totals["impressions"] as? Int == series.reduce(0) { $0 + ($1["impressions"] as? Int ?? 0) })
                #expect(totals["followers"] as? Int == series.last?["followers"] as? Int)
                #expect(series.allSatisfy { ($0["impressions"] as? Int ?? 0) > 0 })
                let previous = try #require(report.object["previous"] as? [String: Any])
                let change = try #require((report.object["change"] as? [String: Any])?["impressions"] as? Double)
                let expected = (Double(totals["impressions"] as! Int) - Double(previous["impressions"] as! Int)) / Double(previous["impressions"] as! Int) * 100
                #expect(abs(change - expected) < 0.1)

                let both = try await app.client.send(.get, path + "?accountId=\(bakery),\(cycles)&from=\(from)&to=\(to)", token: owner.token)
                #expect((both.object["accounts"] as? [[String: Any]])?.count == 2)
                #expect(((both.object["totals"] as? [String: Any])?["impressions"] as? Int ?? 0) > (totals["impressions"] as? Int ?? 0))

                #expect(try await app.client.send(.get, path + "?accountId=\(bakery)", token: plain.user.token).status == .forbidden)
                #expect(try await app.client.send(.get, path + "?accountId=\(cycles)", token: analyst.user.token).status == .notFound)
                let long = try await app.client.send(.get, path + "?from=2025-01-01&to=2026-01-02", token: owner.token)
                #expect(long.status == .unprocessableContent)
                let reversed = try await app.client.send(.get, path + "?from=\(to)&to=\(from)", token: owner.token)
                #expect(reversed.status == .unprocessableContent)
                #expect(try await app.client.send(.get, path + "?from=yesterday", token: owner.token).status == .unprocessableContent)

                let csv = try await app.client.send(.get, path + ".csv?accountId=\(bakery)&from=\(from)&to=\(to)", token: analyst.user.token)
                #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
                let lines = csv.text.split(separator: "\r\n")
                #expect(lines.first == "day,account,platform,followers,impressions,engagements,clicks,posts_published")
                #expect(lines.count == 15)
                #expect(lines.last?.hasPrefix("\(to),Harbor Bakery,sandbox,") == true)
            }
        }
    }
}
