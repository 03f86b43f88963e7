import CrewCore
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import Testing

/// The link's limits under concurrency (run on SQLite and on PostgreSQL).
@Suite struct InviteLinkConcurrencyTests {
    /// People who will race through the link.
    func joiners(_ app: TestApp, _ count: Int) async throws -> [TestUser] {
        var users: [TestUser] = []
        for i in 0..<count { users.append(try await app.signup("Racer \(i)")) }
        return users
    }

    func race(_ app: TestApp, _ users: [TestUser], token: String) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for user in users {
                group.addTask { Int(try await app.client.send(.post, "/api/v1/join/\(token)", token: user.token).status.code) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func configure(_ app: TestApp, _ wid: String, _ owner: TestUser, _ body: [String: any Sendable]) async throws -> String {
        let link = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/client-invite-link", token: owner.token, json: body)
        return String((link.object["url"] as? String ?? "").split(separator: "/").last ?? "")
    }

    @Test func fiftyJoinsForTheLastSeatAdmitExactlyOne() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)
            _ = try await app.addMember("E", to: wid, role: .editor)
            let token = try await configure(app, wid, owner, ["permissions": ["publish_posts"]])
            let statuses = try await race(app, try await joiners(app, 50), token: token)
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 49)
            let seats = try await app.client.send(.get, "/api/v1/workspaces/\(wid)", token: owner.token).object["seats"] as? [String: Int]
            #expect(seats == ["limit": 2, "used": 2])
        }
    }

    @Test func maxUsesFiveAdmitsExactlyFiveOfThirty() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let token = try await configure(app, wid, owner, ["maxUses": 5])
            let statuses = try await race(app, try await joiners(app, 30), token: token)
            #expect(statuses.filter { $0 == 201 }.count == 5)
            #expect(statuses.filter { $0 == 410 }.count == 25)
            #expect(try await MembershipModel.query(on: app.db).filter(\.$joinedVia == "link").count() == 5)
        }
    }

    @Test func noJoinWithTheOldTokenCommitsAfterARefresh() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let token = try await configure(app, wid, owner, ["permissions": ["view_analytics"]])
            let users = try await joiners(app, 50)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, user) in users.enumerated() {
                    group.addTask { Int(try await app.client.send(.post, "/api/v1/join/\(token)", token: user.token).status.code) }
                    if index == 10 {
                        group.addTask {
                            Int(try await app.client.send(.post, "/api/v1/workspaces/\(wid)/client-invite-link/refresh", token: owner.token).status.code) + 1000
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.contains(1200), "the refresh succeeded")
            let joined = statuses.filter { $0 == 201 }.count
            #expect(joined + statuses.filter { $0 == 410 }.count == 50)
            let refresh = try #require(try await AuditEventModel.query(on: app.db).filter(\.$action == "link.refreshed").first())
            let usesAtRefresh = try JSONDecoder().decode([String: String].self, from: Data((refresh.beforeJSON ?? "{}").utf8))["uses"]
            #expect(usesAtRefresh == String(joined), "every successful join committed before the refresh")
            #expect(try await MembershipModel.query(on: app.db).filter(\.$joinedVia == "link").count() == joined)
        }
    }

    /// One person joining ten times at once (a double-clicked button, a retried
    /// request): one membership, one use of the link, one audit event; the
    /// other answers show the membership as it is.
    @Test func onePersonJoiningTenTimesAtOnceJoinsOnce() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let token = try await configure(app, wid, owner, ["permissions": ["view_analytics"], "maxUses": 20])
            let person = try await app.signup("Dana Double")
            let statuses = try await race(app, Array(repeating: person, count: 10), token: token)
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 200 }.count == 9)
            let userID = try #require(UUID(uuidString: person.id))
            #expect(try await MembershipModel.query(on: app.db).filter(\.$userID == userID).count() == 1)
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "link.joined").count() == 1)
            let link = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/client-invite-link", token: owner.token)
            #expect(link.object["uses"] as? Int == 1)
        }
    }
}
