import CrewCore
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite struct MemberAPITests {
    @Test func listPagesFiltersAndSearches() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga Owner")
            let wid = try await app.createWorkspace(as: owner)
            for i in 0..<4 { _ = try await app.addMember("Client \(i)", to: wid, role: .client, permissions: i == 0 ? [.publishPosts] : []) }
            _ = try await app.addMember("Zed Editor", to: wid, role: .editor)
            _ = try await app.addMember("Mia Manager", to: wid, role: .manager)
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/api/v1/workspaces/\(wid)/members?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await app.client.send(.get, path, token: owner.token)
                #expect(page.status == .ok)
                let items = try #require(page.object["items"] as? [[String: Any]])
                seen += items.compactMap { $0["name"] as? String }
                cursor = page.object["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == ["Olga Owner", "Client 0", "Client 1", "Client 2", "Client 3", "Zed Editor", "Mia Manager"])

            let clients = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members?role=client", token: owner.token)
            let clientItems = try #require(clients.object["items"] as? [[String: Any]])
            #expect(clientItems.count == 4)
            #expect(clientItems.map { $0["countsAsSeat"] as? Bool } == [true, false, false, false])

            let search = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members?q=MANAGER", token: owner.token)
            #expect((search.object["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Mia Manager"])
            let byEmail = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members?q=zed.editor", token: owner.token)
            #expect((byEmail.object["items"] as? [Any])?.count == 1)

            for bad in ["limit=0", "limit=500", "role=boss", "cursor=garbage"] {
                let response = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members?\(bad)", token: owner.token)
                #expect(response.status == .unprocessableContent, "\(bad)")
            }
        }
    }

    @Test func editingFollowsTheEscalationRules() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let admin = try await app.addMember("Ada", to: wid, role: .admin)
            let otherAdmin = try await app.addMember("Abe", to: wid, role: .admin)
            let editor = try await app.addMember("Ed", to: wid, role: .editor)
            let client = try await app.addMember("Cy", to: wid, role: .client)
            func patch(_ who: TestUser, _ member: TestMember, _ body: [String: any Sendable]) async throws -> (Int, String?) {
                let r = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/members/\(member.memberID)", token: who.token, json: body)
                return (Int(r.status.code), r.problem?.code)
            }
            #expect(try await patch(admin.user, editor, ["role": "admin"]) == (403, "role_escalation"))
            #expect(try await patch(admin.user, otherAdmin, ["permissions": [String]()]) == (403, "role_escalation"))
            #expect(try await patch(admin.user, editor, ["role": "manager"]) == (200, nil))
            #expect(try await patch(owner, editor, ["role": "client"]) == (422, "validation_failed"))
            #expect(try await patch(owner, client, ["role": "editor"]) == (422, "validation_failed"))
            #expect(try await patch(owner, client, ["permissions": ["teleport"]]) == (422, "validation_failed"))
            #expect(try await patch(editor.user, client, ["permissions": ["view_analytics"]]) == (403, "forbidden"))
            #expect(try await patch(owner, client, ["permissions": ["view_analytics", "approve_posts"], "allowedPlatforms": ["sandbox", "x"]]) == (200, nil))
            let view = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members/\(client.memberID)", token: owner.token)
            #expect(view.object["permissions"] as? [String] == ["approve_posts", "view_analytics"])
            #expect(view.object["allowedPlatforms"] as? [String] == ["sandbox", "x"])
            let updates = try await AuditEventModel.query(on: app.db).filter(\.$action == "member.updated").all()
            #expect(updates.count == 2)
            #expect(updates.contains { ($0.beforeJSON ?? "").contains(#""role":"editor""#) && ($0.afterJSON ?? "").contains(#""role":"manager""#) })
        }
    }

    @Test func grantingPublishIsCheckedAgainstSeatsAndRolledBackWhole() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)
            _ = try await app.addMember("E1", to: wid, role: .editor)
            let client = try await app.addMember("Cy", to: wid, role: .client)
            let account = try await app.addAccount("Page", to: wid)
            #expect(try await app.client.send(
                .patch, "/api/v1/workspaces/\(wid)/members/\(client.memberID)", token: owner.token,
                json: ["permissions": ["publish_posts"]]).status == .ok)
            let late = try await app.addMember("Cz", to: wid, role: .client)
            let refused = try await app.client.send(
                .patch, "/api/v1/workspaces/\(wid)/members/\(late.memberID)", token: owner.token,
                json: ["permissions": ["publish_posts"], "accountIds": [account]])
            #expect(refused.status == .conflict)
            #expect(refused.problem?.code == "seat_limit_reached")
            let unchanged = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members/\(late.memberID)", token: owner.token)
            #expect(unchanged.object["permissions"] as? [String] == [])
            #expect(unchanged.object["accountIds"] as? [String] == [])
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$targetID == late.memberID).count() == 0, "a rolled-back change leaves no audit row")
        }
    }

    @Test func accountGrantsStayInsideTheWorkspace() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let other = try await app.createWorkspace("Other", as: owner)
            let mine = try await app.addAccount("Mine", to: wid)
            let theirs = try await app.addAccount("Theirs", to: other)
            let client = try await app.addMember("Cy", to: wid, role: .client)
            let path = "/api/v1/workspaces/\(wid)/members/\(client.memberID)"
            let ok = try await app.client.send(.patch, path, token: owner.token, json: ["accountIds": [mine]])
            #expect(ok.object["accountIds"] as? [String] == [mine])
            let bad = try await app.client.send(.patch, path, token: owner.token, json: ["accountIds": [mine, theirs]])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.problem?.errors?.map(\.field) == ["accountIds[1]"])
        }
    }

    @Test func aMemberOfAnotherWorkspaceIsNotFound() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let stranger = try await app.signup("Stan")
            let theirs = try await app.createWorkspace("Theirs", as: stranger)
            let theirMember = try await app.addMember("Tim", to: theirs, role: .editor)
            for (method, path) in [
                (HTTPRequest.Method.get, "/api/v1/workspaces/\(wid)/members/\(theirMember.memberID)"),
                (.delete, "/api/v1/workspaces/\(wid)/members/\(theirMember.memberID)"),
                (.get, "/api/v1/workspaces/\(theirs)/members"),
            ] {
                #expect(try await app.client.send(method, path, token: owner.token).status == .notFound, "\(method) \(path)")
            }
            #expect(try await MembershipModel.query(on: app.db).count() == 3)
        }
    }

    @Test func ownershipMovesOnlyToAnAdmin() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let admin = try await app.addMember("Ada", to: wid, role: .admin)
            let manager = try await app.addMember("Mo", to: wid, role: .manager)
            let path = "/api/v1/workspaces/\(wid)/transfer-ownership"
            #expect(try await app.client.send(.post, path, token: owner.token, json: ["memberId": manager.memberID]).status == .unprocessableContent)
            #expect(try await app.client.send(.post, path, token: admin.user.token, json: ["memberId": admin.memberID]).status == .forbidden)
            #expect(try await app.client.send(.post, path, token: owner.token, json: ["memberId": admin.memberID]).status == .ok)
            let roles = try await app.client.send(.get, "/api/v1/me", token: owner.token).object["workspaces"] as? [[String: String]]
            #expect(roles?.first?["role"] == "admin")
            let adaRoles = try await app.client.send(.get, "/api/v1/me", token: admin.user.token).object["workspaces"] as? [[String: String]]
            #expect(adaRoles?.first?["role"] == "owner")
            #expect(try await MembershipModel.query(on: app.db).filter(\.$roleText == "owner").count() == 1)
        }
    }

    @Test func leavingAndTheOwnerWhoCannot() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let editor = try await app.addMember("Ed", to: wid, role: .editor)
            #expect(try await app.client.send(.post, "/api/v1/workspaces/\(wid)/leave", token: editor.user.token).status == .noContent)
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)", token: editor.user.token).status == .notFound)
            let ownerLeaves = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/leave", token: owner.token)
            #expect(ownerLeaves.status == .conflict)
            #expect(ownerLeaves.problem?.code == "last_owner")
        }
    }

    @Test func planChangesRespectUsage() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let admin = try await app.addMember("Ada", to: wid, role: .admin)
            for i in 0..<3 { _ = try await app.addMember("E\(i)", to: wid, role: .editor) }
            let path = "/api/v1/workspaces/\(wid)"
            let down = try await app.client.send(.patch, path, token: owner.token, json: ["plan": "small_team"])
            #expect(down.status == .conflict)
            #expect(down.problem?.code == "seat_limit_reached")
            #expect(try await app.client.send(.patch, path, token: admin.user.token, json: ["plan": "agency_plus"]).status == .forbidden)
            #expect(try await app.client.send(.patch, path, token: admin.user.token, json: ["name": "Renamed"]).status == .ok)
            let up = try await app.client.send(.patch, path, token: owner.token, json: ["plan": "agency_plus"])
            #expect(up.status == .ok)
            #expect(up.text.contains(#""seats":{"limit":null,"used":4}"#))
            #expect(try await app.client.send(.patch, path, token: owner.token, json: ["plan": "gold"]).status == .unprocessableContent)
        }
    }
}
