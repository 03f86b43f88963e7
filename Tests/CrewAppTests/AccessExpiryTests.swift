import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Access that ends by itself: an `accessUntil` on members, invitations and
/// the invite link's joiners; refused from the clock on the next request, the
/// member removed by the sweeper with the normal audit row, a notice 3 days before.
@Suite struct AccessExpiryTests {
    static let day: TimeInterval = 86_400

    static func setEnd(_ app: TestApp, _ wid: String, _ memberID: String, _ until: (any Sendable)?, as user: TestUser) async throws -> TestResponse {
        try await app.client.send(
            .patch, "/api/v1/workspaces/\(wid)/members/\(memberID)", token: user.token, json: ["accessUntil": until ?? NSNull()])
    }

    static func sweep(_ app: TestApp) async throws -> AccessExpirySweeper.Round {
        try await AccessExpirySweeper(env: app.services.env).sweep(on: app.db)
    }

    @Test func pastItsEndAMemberIsRefusedAtOnceAndTheSweeperRemovesThem() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let account = try await app.addAccount("Acme", to: wid)
            let editor = try await app.addMember("Eddie", to: wid, role: .editor, accounts: [account])
            let set = try await Self.setEnd(app, wid, editor.memberID, app.time(in: 10 * Self.day), as: owner)
            #expect(set.status == .ok)
            #expect(set.object["accessUntil"] is String)
            let post = try #require(try await app.writePost("Hello", on: [account], in: wid, as: editor.user).first?["id"] as? String)
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members", token: editor.user.token).status == .ok)

            app.clock.advance(by: 10 * Self.day + 1)
            // No job has run: the clock alone ends the access.
            let refused = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members", token: editor.user.token)
            #expect(refused.status == .forbidden)
            #expect(refused.problem?.code == "access_ended")
            let me = try await app.client.send(.get, "/api/v1/me", token: editor.user.token)
            #expect((me.object["workspaces"] as? [Any])?.isEmpty == true)
            // The owner still sees them, with the end, until the sweeper runs.
            let listed = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members/\(editor.memberID)", token: owner.token)
            #expect(listed.status == .ok)

            let round = try await Self.sweep(app)
            #expect(round.removed == 1)
            #expect(try await MembershipModel.find(try parseID(editor.memberID), on: app.db) == nil)
            let removal = try #require(try await AuditEventModel.query(on: app.db).filter(\.$action == "member.removed").first())
            #expect(removal.actorName == MemberService.accessExpiryActor.name)
            #expect(removal.afterJSON?.contains("access_ended") == true)
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$kind == "access_ended").filter(\.$toAddress == editor.user.email).count() == 1)
            // Their post stays; the owner is never swept.
            #expect(try await PostModel.find(try parseID(post), on: app.db) != nil)
            #expect(try await Self.sweep(app) == .init())
            #expect(try await MembershipModel.query(on: app.db).count() == 1)
        }
    }

    @Test func aNoticeGoesOutOnceThreeDaysBeforeAndAgainAfterAnExtension() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let client = try await app.addMember("Cleo", to: wid, role: .client)
            #expect(try await Self.setEnd(app, wid, client.memberID, app.time(in: 5 * Self.day), as: owner).status == .ok)
            #expect(try await Self.sweep(app).noticesSent == 0)
            app.clock.advance(by: 2 * Self.day + 60)
            #expect(try await Self.sweep(app).noticesSent == 1)
            #expect(try await Self.sweep(app).noticesSent == 0)
            let notices = OutboxMessageModel.query(on: app.db).filter(\.$kind == "access_ending").filter(\.$toAddress == client.user.email)
            let mail = try #require(try await notices.first())
            #expect(mail.subject.contains("Acme Agency"))
            // Its button opens the workspace's page (a route that exists).
            let stored = try #require(try await MailBody.stored(for: mail, on: app.db))
            let body = try #require(MailBody.open(stored.text, with: app.services.env.sealer))
            #expect(body.contains("/w/\(wid)"))
            let page = try await app.client.send(.get, "/w/\(wid)", headers: [.cookie: "crew_session=\(client.user.token)", .accept: "text/html"])
            #expect(page.status == .ok)

            // Extended by a week: a new end, a new notice when it comes near.
            #expect(try await Self.setEnd(app, wid, client.memberID, app.time(in: 7 * Self.day), as: owner).status == .ok)
            #expect(try await Self.sweep(app).noticesSent == 0)
            app.clock.advance(by: 4 * Self.day + 60)
            #expect(try await Self.sweep(app).noticesSent == 1)
            #expect(try await notices.count() == 2)
            #expect(try await Self.sweep(app).removed == 0)

            // Cleared: access without end.
            #expect(try await Self.setEnd(app, wid, client.memberID, nil, as: owner).object["accessUntil"] == nil)
            app.clock.advance(by: 30 * Self.day)
            #expect(try await Self.sweep(app) == .init())
            #expect(try await MembershipModel.find(try parseID(client.memberID), on: app.db) != nil)
        }
    }

    @Test func badEndsAreRefusedAndChangeNothing() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let ownerMember = try #require(try await MembershipModel.query(on: app.db).first())
            let admin = try await app.addMember("Ada", to: wid, role: .admin)
            let editor = try await app.addMember("Eddie", to: wid, role: .editor)

            let past = try await Self.setEnd(app, wid, editor.memberID, "2001-01-01T00:00:00Z", as: owner)
            #expect(past.status == .unprocessableContent)
            #expect(past.problem?.errors?.first?.field == "accessUntil")
            let onOwner = try await Self.setEnd(app, wid, ownerMember.id!.apiString, app.time(in: Self.day), as: admin.user)
            // The owner's access never ends (as their role, it is not edited).
            #expect(onOwner.status == .conflict)
            #expect(onOwner.problem?.code == "last_owner")
            let byEditor = try await Self.setEnd(app, wid, admin.memberID, app.time(in: Self.day), as: editor.user)
            #expect(byEditor.status == .forbidden)
            #expect(try await MembershipModel.query(on: app.db).filter(\.$accessUntil != nil).count() == 0)
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "member.updated").count() == 0)
        }
    }

    @Test func anInvitationCarriesTheEndToTheMembership() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let path = "/api/v1/workspaces/\(wid)/invitations"
            let past = try await app.client.send(
                .post, path, token: owner.token, json: ["email": "late@example.com", "role": "client", "accessUntil": "2001-01-01T00:00:00Z"])
            #expect(past.status == .unprocessableContent)
            #expect(try await InvitationModel.query(on: app.db).count() == 0)

            let invited = try await app.client.send(
                .post, path, token: owner.token, json: ["email": "cleo@example.com", "role": "client", "accessUntil": app.time(in: 30 * Self.day)])
            #expect(invited.status == .created)
            #expect(invited.object["accessUntil"] is String)
            // The mail says when the access it offers ends.
            let mail = try #require(try await OutboxMessageModel.query(on: app.db).filter(\.$kind == "invitation").first())
            let stored = try #require(try await MailBody.stored(for: mail, on: app.db))
            let text = try #require(MailBody.open(stored.text, with: app.services.env.sealer))
            #expect(text.contains("Your access ends on "))
            let cleo = try await app.signup("Cleo", email: "cleo@example.com")
            let token = try await app.invitationToken(for: "cleo@example.com")
            let accepted = try await app.client.send(.post, "/api/v1/invitations/accept", token: cleo.token, json: ["token": token])
            #expect(accepted.status == .ok || accepted.status == .created)
            let member = try #require(try await MembershipModel.query(on: app.db).filter(\.$userID == (try parseID(cleo.id))).first())
            #expect(member.accessUntil == app.clock.now.addingTimeInterval(30 * Self.day))
        }
    }

    @Test func anInvitationWhoseAccessEndedBeforeAcceptingIsGone() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            _ = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token,
                json: ["email": "cleo@example.com", "role": "client", "accessUntil": app.time(in: 3_600)])
            let cleo = try await app.signup("Cleo", email: "cleo@example.com")
            let token = try await app.invitationToken(for: "cleo@example.com")
            app.clock.advance(by: 3_601)
            let accepted = try await app.client.send(.post, "/api/v1/invitations/accept", token: cleo.token, json: ["token": token])
            #expect(accepted.status == .gone)
            #expect(accepted.problem?.code == "invitation_inactive")
            #expect(try await MembershipModel.query(on: app.db).count() == 1)
        }
    }

    @Test func theLinkGivesItsJoinersDaysOfAccess() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let path = "/api/v1/workspaces/\(wid)/client-invite-link"
            for bad in [0, 3_651] {
                let refused = try await app.client.send(.patch, path, token: owner.token, json: ["accessDays": bad])
                #expect(refused.status == .unprocessableContent)
            }
            let link = try await app.client.send(.patch, path, token: owner.token, json: ["accessDays": 30])
            #expect(link.object["accessDays"] as? Int == 30)
            let url = try #require(link.object["url"] as? String)
            let joiner = try await app.signup("Jo")
            let joined = try await app.client.send(.post, "/api/v1/join/\(url.split(separator: "/").last!)", token: joiner.token)
            #expect(joined.status == .created)
            let until = try #require(joined.object["accessUntil"] as? String)
            #expect(ISO8601DateFormatter().date(from: until) == app.clock.now.addingTimeInterval(30 * Self.day))
            // Cleared again: later joiners keep their access.
            let cleared = try await app.client.send(.patch, path, token: owner.token, json: ["accessDays": NSNull()])
            #expect(cleared.object["accessDays"] is NSNull)
        }
    }

    @Test func aBulkEditSetsTheEndOfManyOrOfNone() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let ownerMember = try #require(try await MembershipModel.query(on: app.db).first())
            let a = try await app.addMember("Cleo", to: wid, role: .client)
            let b = try await app.addMember("Cato", to: wid, role: .client)
            let path = "/api/v1/workspaces/\(wid)/members/bulk-update"
            let withOwner = try await app.client.send(
                .post, path, token: owner.token,
                json: ["memberIds": [a.memberID, ownerMember.id!.apiString], "accessUntil": app.time(in: Self.day)])
            #expect(withOwner.status == .conflict || withOwner.status == .forbidden)
            let refused = try #require(withOwner.object["refused"] as? [[String: Any]])
            #expect(refused.map { $0["id"] as? String } == [ownerMember.id!.apiString])
            #expect(try await MembershipModel.query(on: app.db).filter(\.$accessUntil != nil).count() == 0)

            let done = try await app.client.send(
                .post, path, token: owner.token, json: ["memberIds": [a.memberID, b.memberID], "accessUntil": app.time(in: Self.day)])
            #expect(done.status == .ok)
            #expect(try await MembershipModel.query(on: app.db).filter(\.$accessUntil == app.clock.now.addingTimeInterval(Self.day)).count() == 2)
            let rows = try await AuditEventModel.query(on: app.db).filter(\.$action == "member.updated").all()
            #expect(rows.count == 2 && rows.allSatisfy { $0.afterJSON?.contains("accessUntil") == true })
            // The members page shows the new end (its cached copy moved on).
            let page = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members", token: owner.token)
            let items = try #require(page.object["items"] as? [[String: Any]])
            #expect(items.filter { $0["accessUntil"] is String }.count == 2)
        }
    }

    @Test func sweepersRunningAtOnceRemoveEveryoneExactlyOnce() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            var ids: [String] = []
            for n in 0..<12 { ids.append(try await app.addMember("Client \(n)", to: wid, role: .client).memberID) }
            let done = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/members/bulk-update", token: owner.token,
                json: ["memberIds": ids, "accessUntil": app.time(in: 4 * Self.day)])
            #expect(done.status == .ok)
            app.clock.advance(by: 2 * Self.day)
            let notices = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await Self.sweep(app).noticesSent } }
                return try await group.reduce(0, +)
            }
            #expect(notices == 12)
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$kind == "access_ending").count() == 12)
            app.clock.advance(by: 2 * Self.day + 1)
            let removed = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await Self.sweep(app).removed } }
                return try await group.reduce(0, +)
            }
            #expect(removed == 12)
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "member.removed").count() == 12)
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$kind == "access_ended").count() == 12)
            #expect(try await MembershipModel.query(on: app.db).count() == 1)
        }
    }
}
