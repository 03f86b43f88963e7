import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// `POST …/members/bulk-update`: many members changed in one request — checked
/// first, all or nothing with a reason per refused id, seats counted once for
/// the batch under the workspace lock, one audit row each.
@Suite struct BulkEditTests {
    struct Team {
        var wid: String
        var owner: TestUser
        var editors: [TestMember]
        var clients: [TestMember]
        var account: String
    }

    /// Agency plan (5 seats): 3 editors and 3 clients who may not publish (3 of 5 used).
    static func team(_ app: TestApp) async throws -> Team {
        let owner = try await app.signup("Olive Owner")
        let wid = try await app.createWorkspace(plan: "agency", as: owner)
        let account = try await app.addAccount("Brand", to: wid)
        var editors: [TestMember] = [], clients: [TestMember] = []
        for n in 0..<3 { editors.append(try await app.addMember("Editor \(n)", to: wid, role: .editor)) }
        for n in 0..<3 { clients.append(try await app.addMember("Client \(n)", to: wid, role: .client, permissions: [.viewAnalytics])) }
        return Team(wid: wid, owner: owner, editors: editors, clients: clients, account: account)
    }

    static func bulk(_ app: TestApp, _ team: Team, _ body: [String: any Sendable], as user: TestUser? = nil) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/workspaces/\(team.wid)/members/bulk-update", token: (user ?? team.owner).token, json: body)
    }

    static func memberships(_ app: TestApp, _ team: Team) async throws -> [String] {
        try await MembershipModel.query(on: app.db).filter(\.$workspaceID == (try parseID(team.wid))).sort(\.$id).all()
            .map { "\($0.id!) \($0.roleText) \($0.permissionsText) \($0.countsAsSeat)" }
    }

    @Test func aRoleChangeForManyIsOneRequestWithAnAuditRowEach() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            let ids = team.editors.map(\.memberID)
            let answer = try await Self.bulk(app, team, ["memberIds": ids, "role": "manager"])
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(Set(answer.object["updated"] as? [String] ?? []) == Set(ids))
            for id in ids {
                #expect(try await MembershipModel.find(try parseID(id), on: app.db)?.role == .manager)
            }
            let rows = try await AuditEventModel.query(on: app.db).filter(\.$action == "member.updated").all()
            #expect(rows.count == 3)
            #expect(Set(rows.compactMap(\.batchID)).count == 1 && rows.allSatisfy { $0.batchID != nil })
            #expect(rows.allSatisfy { $0.targetLabel.hasSuffix("@example.com") })
        }
    }

    @Test func oneRefusedIdChangesNobodyAndEachRefusalSaysWhy() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            let other = try await app.signup("Otto Other")
            let otherWid = try await app.createWorkspace(as: other)
            let stranger = try await app.addMember("Sam Stranger", to: otherWid, role: .editor)
            let ownerID = try #require(try await MembershipModel.query(on: app.db)
                .filter(\.$workspaceID == (try parseID(team.wid))).filter(\.$roleText == "owner").first()?.id?.apiString)
            let before = try await Self.memberships(app, team)
            let answer = try await Self.bulk(
                app, team, ["memberIds": [team.editors[0].memberID, stranger.memberID, "garbage", ownerID, team.clients[0].memberID], "role": "manager"])
            #expect(answer.status == .conflict, "\(answer.text)")
            let refused = (answer.object["refused"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
                $0[$1["id"] as? String ?? ""] = $1["code"] as? String
            }
            #expect(refused[stranger.memberID] == "not_found")
            #expect(refused["garbage"] == "not_found")
            #expect(refused[ownerID] != nil)
            #expect(refused[team.clients[0].memberID] != nil)  // a client never becomes a team member
            #expect(refused[team.editors[0].memberID] == nil)
            #expect(try await Self.memberships(app, team) == before)
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "member.updated").count() == 0)
        }
    }

    @Test func seatsAreCountedOnceForTheWholeBatch() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            let before = try await Self.memberships(app, team)
            // Publishing makes each client take a seat: 3 more would be 6 of 5.
            let tooMany = try await Self.bulk(app, team, ["memberIds": team.clients.map(\.memberID), "permissions": ["publish_posts"]])
            #expect(tooMany.status == .conflict)
            #expect(tooMany.problem?.code == "seat_limit_reached")
            #expect(try await Self.memberships(app, team) == before)
            let two = try await Self.bulk(app, team, ["memberIds": Array(team.clients.prefix(2).map(\.memberID)), "permissions": ["publish_posts"]])
            #expect(two.status == .ok, "\(two.text)")
            let workspace = try await app.client.send(.get, "/api/v1/workspaces/\(team.wid)", token: team.owner.token)
            #expect((workspace.object["seats"] as? [String: Any])?["used"] as? Int == 5)
            // Freeing a seat and taking one in the same batch nets out.
            let swap = try await Self.bulk(app, team, ["memberIds": [team.clients[1].memberID], "permissions": ["view_analytics"]])
            #expect(swap.status == .ok)
        }
    }

    @Test func accountGrantsAreReplacedForEveryOne() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            let ids = team.clients.map(\.memberID)
            let answer = try await Self.bulk(app, team, ["memberIds": ids, "accountIds": [team.account]])
            #expect(answer.status == .ok, "\(answer.text)")
            for id in ids {
                let grants = try await AccountGrantModel.query(on: app.db).filter(\.$membershipID == (try parseID(id))).all()
                #expect(grants.map(\.accountID.apiString) == [team.account])
            }
            let cleared = try await Self.bulk(app, team, ["memberIds": [ids[0]], "accountIds": [String]()])
            #expect(cleared.status == .ok)
            #expect(try await AccountGrantModel.query(on: app.db).filter(\.$membershipID == (try parseID(ids[0]))).count() == 0)
        }
    }

    @Test func badRequestsAreRefusedWholeAndChangeNothing() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            let before = try await Self.memberships(app, team)
            let one = [team.editors[0].memberID]
            let cases: [[String: any Sendable]] = [
                ["memberIds": [String](), "role": "manager"],
                ["memberIds": (0...MemberService.bulkLimit).map { _ in UUID().uuidString }, "role": "manager"],
                ["memberIds": one + one, "role": "manager"],
                ["memberIds": one],
                ["memberIds": one, "role": "overlord"],
                ["memberIds": one, "accountIds": [UUID().uuidString]],
                ["memberIds": one, "permissions": ["publish_posts"]],
            ]
            for body in cases {
                let answer = try await Self.bulk(app, team, body)
                #expect(answer.status == .unprocessableContent || answer.status == .conflict, "\(answer.text)")
            }
            let byClient = try await Self.bulk(app, team, ["memberIds": one, "role": "manager"], as: team.clients[0].user)
            #expect(byClient.status == .forbidden)
            #expect(try await Self.memberships(app, team) == before)
        }
    }

    @Test func twoBatchesRacingForTheLastSeatsDoNotBothGetIn() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            // 3 of 5 used: each batch of two publishers fits alone, not both.
            let extra = try await app.addMember("Client 3", to: team.wid, role: .client, permissions: [.viewAnalytics])
            async let first = Self.bulk(app, team, ["memberIds": [team.clients[0].memberID, team.clients[1].memberID], "permissions": ["publish_posts"]])
            async let second = Self.bulk(app, team, ["memberIds": [team.clients[2].memberID, extra.memberID], "permissions": ["publish_posts"]])
            let statuses = [try await first.status, try await second.status]
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 1, "\(statuses)")
            let seats = try await MembershipModel.query(on: app.db).filter(\.$workspaceID == (try parseID(team.wid))).filter(\.$countsAsSeat == true).count()
            #expect(seats == 5)
        }
    }
}
