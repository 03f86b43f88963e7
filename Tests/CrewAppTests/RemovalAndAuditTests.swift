import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import Testing

@Suite struct RemovalTests {
    @Test func removalEndsAccessAndKeepsEverythingElse() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let account = try await app.addAccount("Page", to: wid)
            let admin = try await app.addMember("Ada", to: wid, role: .admin, accounts: [account])
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: admin.user.token, json: ["email": "new@example.com", "role": "client"])
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)", token: admin.user.token).status == .ok)

            #expect(try await app.client.send(.delete, "/api/v1/workspaces/\(wid)/members/\(admin.memberID)", token: owner.token).status == .noContent)
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)", token: admin.user.token).status == .notFound, "access ends on the next request")
            #expect(try await AccountGrantModel.query(on: app.db).count() == 0)
            #expect(try await SocialAccountModel.query(on: app.db).count() == 1, "the account stays")
            #expect(try await UserModel.find(try parseID(admin.user.id), on: app.db) != nil, "the person's account stays")
            #expect(try await InvitationModel.query(on: app.db).first()?.state == "revoked", "invitations they sent are revoked")
            let removed = try await AuditEventModel.query(on: app.db).filter(\.$action == "member.removed").all()
            #expect(removed.map(\.targetLabel) == [admin.user.email])
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$actorName == "Ada").count() == 1, "their own history stays")
        }
    }

    @Test func theOwnerAndHigherRanksCannotBeRemoved() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let admin = try await app.addMember("Ada", to: wid, role: .admin)
            let other = try await app.addMember("Abe", to: wid, role: .admin)
            let manager = try await app.addMember("Mo", to: wid, role: .manager)
            let editor = try await app.addMember("Ed", to: wid, role: .editor)
            let ownerID = try await MembershipModel.query(on: app.db).filter(\.$roleText == "owner").first()!.id!.apiString
            func delete(_ who: TestUser, _ id: String) async throws -> (Int, String?) {
                let r = try await app.client.send(.delete, "/api/v1/workspaces/\(wid)/members/\(id)", token: who.token)
                return (Int(r.status.code), r.problem?.code)
            }
            #expect(try await delete(owner, ownerID) == (409, "last_owner"))
            #expect(try await delete(admin.user, ownerID) == (409, "last_owner"))
            #expect(try await delete(admin.user, other.memberID) == (403, "role_escalation"))
            #expect(try await delete(manager.user, editor.memberID) == (403, "forbidden"))
            #expect(try await delete(owner, UUID().uuidString) == (404, "not_found"))
            #expect(try await MembershipModel.query(on: app.db).count() == 5)
            #expect(try await delete(admin.user, editor.memberID) == (204, nil))
        }
    }

    @Test func bulkRemovalIsAllOrNothing() async throws {
        // No mail worker runs in tests (TestApp): the notices are still queued, unsent, when the test looks.
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            var clients: [TestMember] = []
            for i in 0..<3 { clients.append(try await app.addMember("C\(i)", to: wid, role: .client)) }
            let ownerID = try await MembershipModel.query(on: app.db).filter(\.$roleText == "owner").first()!.id!.apiString
            let path = "/api/v1/workspaces/\(wid)/members/bulk-delete"
            let unknown = UUID().uuidString
            let refused = try await app.client.send(.post, path, token: owner.token, json: ["memberIds": [clients[0].memberID, ownerID, unknown]])
            #expect(refused.status == .conflict)
            let reasons = try #require(refused.object["refused"] as? [[String: String]])
            #expect(reasons.map { $0["code"] } == ["last_owner", "not_found"])
            #expect(reasons.map { $0["id"] } == [ownerID, unknown])
            #expect(try await MembershipModel.query(on: app.db).count() == 4, "nothing removed")

            #expect(try await app.client.send(.post, path, token: owner.token, json: ["memberIds": [clients[0].memberID, clients[0].memberID]]).status == .unprocessableContent)
            let tooMany = (0...1000).map { _ in UUID().uuidString }
            #expect(try await app.client.send(.post, path, token: owner.token, json: ["memberIds": tooMany]).status == .unprocessableContent)
            #expect(try await app.client.send(.post, path, token: owner.token, json: ["memberIds": [String]()]).status == .unprocessableContent)

            let ok = try await app.client.send(.post, path, token: owner.token, json: ["memberIds": [clients[0].memberID, clients[2].memberID]])
            #expect(ok.status == .ok)
            #expect(Set(ok.object["removed"] as? [String] ?? []) == [clients[0].memberID, clients[2].memberID])
            let events = try await AuditEventModel.query(on: app.db).filter(\.$action == "member.removed").all()
            #expect(events.count == 2)
            #expect(events[0].batchID != nil && events[0].batchID == events[1].batchID, "one batch id ties a bulk removal together")
            #expect(Set(events.compactMap(\.targetID)) == [clients[0].memberID, clients[2].memberID])
            #expect(Set(events.map(\.targetLabel)) == [clients[0].user.email, clients[2].user.email])
            #expect(events.allSatisfy { $0.actorName == "Olga" && $0.beforeJSON?.contains("\"role\":\"client\"") == true && $0.workspaceID != nil })
            #expect(try await MembershipModel.query(on: app.db).count() == 2)
            // Each person removed gets the notice, sealed at rest and readable;
            // the notice they share is stored once.
            let notices = try await OutboxMessageModel.query(on: app.db).filter(\.$kind == "member_removed").all()
            #expect(Set(notices.map(\.toAddress)) == [clients[0].user.email, clients[2].user.email])
            #expect(Set(notices.compactMap(\.bodyID)).count == 1 && notices.allSatisfy { $0.textBody.isEmpty && $0.htmlBody.isEmpty })
            #expect(try await MailBodyModel.query(on: app.db).count() == 1)
            for notice in notices {
                let bodies = try #require(try await MailBody.stored(for: notice, on: app.db))
                #expect(bodies.text.hasPrefix("sealed:") && bodies.html.hasPrefix("sealed:") && notice.attempts == 0 && notice.sentAt == nil)
                #expect(MailBody.open(bodies.text, with: app.services.env.sealer)?.contains("Olga") == true)
                #expect(MailBody.open(bodies.html, with: app.services.env.sealer)?.contains("Olga") == true)
            }
        }
    }

    @Test func bulkRemovalByAnAdminOfAnAdminIsForbidden() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let admin = try await app.addMember("Ada", to: wid, role: .admin)
            let other = try await app.addMember("Abe", to: wid, role: .admin)
            let client = try await app.addMember("Cy", to: wid, role: .client)
            let r = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/members/bulk-delete", token: admin.user.token,
                json: ["memberIds": [client.memberID, other.memberID]])
            #expect(r.status == .forbidden)
            #expect((r.object["refused"] as? [[String: String]])?.first?["code"] == "role_escalation")
            #expect(try await MembershipModel.query(on: app.db).count() == 4)
        }
    }
}

@Suite struct AuditAPITests {
    @Test func ownersReadAndFilterTheLog() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let editor = try await app.addMember("Ed", to: wid, role: .editor)
            for i in 0..<3 {
                app.clock.advance(by: 60)
                _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": "p\(i)@example.com", "role": "client"])
            }
            let path = "/api/v1/workspaces/\(wid)/audit-events"
            let all = try await app.client.send(.get, path, token: owner.token)
            let actions = (all.object["items"] as? [[String: Any]])?.compactMap { $0["action"] as? String }
            #expect(actions == ["invitation.sent", "invitation.sent", "invitation.sent", "workspace.created"])
            let page1 = try await app.client.send(.get, path + "?action=invitation.sent&limit=2", token: owner.token)
            let cursor = try #require(page1.object["nextCursor"] as? String)
            let page2 = try await app.client.send(.get, path + "?action=invitation.sent&limit=2&cursor=\(cursor)", token: owner.token)
            let labels = ((page1.object["items"] as? [[String: Any]]) ?? []) + ((page2.object["items"] as? [[String: Any]]) ?? [])
            #expect(labels.compactMap { $0["targetLabel"] as? String } == ["p2@example.com", "p1@example.com", "p0@example.com"])
            #expect(page2.object["nextCursor"] is NSNull)
            let byActor = try await app.client.send(.get, path + "?actor=\(owner.id)&action=workspace.created", token: owner.token)
            #expect((byActor.object["items"] as? [Any])?.count == 1)
            #expect(try await app.client.send(.get, path + "?from=yesterday", token: owner.token).status == .unprocessableContent)
            #expect(try await app.client.send(.get, path, token: editor.user.token).status == .forbidden)
        }
    }
}
