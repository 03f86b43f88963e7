import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The life of a post through the API: drafts, review, client approval,
/// comments, and every bad input refused without a change.
@Suite struct PostWorkflowTests {
    func status(_ answer: TestResponse) -> String? { answer.object["status"] as? String }

    @Test func anEditorsPostIsApprovedByAManagerNeverByItsAuthor() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let account = try await app.addAccount("Harbor Bakery", to: wid)
            let editor = try await app.addMember("Eddie", to: wid, role: .editor, accounts: [account])
            let manager = try await app.addMember("Mia", to: wid, role: .manager, accounts: [account])

            let draft = try await app.writePost("Fresh bread at 7!", on: [account], in: wid, as: editor.user)[0]
            #expect(draft["status"] as? String == "draft")
            #expect(draft["actions"] as? [String] == ["edit", "submit", "comment"])
            let pid = try #require(draft["id"] as? String)
            let submitted = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/submit", token: editor.user.token)
            #expect(status(submitted) == "pending_approval")

            let byEditor = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: editor.user.token)
            #expect(byEditor.status == .forbidden)
            // Promoted to manager, the author still cannot approve their own post.
            _ = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/members/\(editor.memberID)", token: owner.token, json: ["role": "manager"])
            let own = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: editor.user.token)
            #expect(own.status == .forbidden)
            #expect(own.problem?.code == "self_approval")
            #expect(status(try await app.post(pid, in: wid, as: owner)) == "pending_approval", "a refusal changes nothing")

            let approved = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: manager.user.token)
            #expect(status(approved) == "scheduled")
            #expect((approved.object["approvedBy"] as? [String: Any])?["name"] as? String == "Mia")
            let again = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: manager.user.token)
            #expect(again.status == .conflict)
            #expect(again.problem?.code == "conflict")
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "post.approved").all()
            #expect(audit.count == 1)
        }
    }

    @Test func postsForAClientWhoApprovesWaitForThatClient() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let account = try await app.addAccount("Harbor Bakery", to: wid)
            let manager = try await app.addMember("Mia", to: wid, role: .manager, accounts: [account])
            let viewer = try await app.addMember("Vic", to: wid, role: .client, accounts: [account])
            let approver = try await app.addMember("Clara", to: wid, role: .client, permissions: [.approvePosts], accounts: [account])

            let post = try await app.writePost("Spring menu", on: [account], in: wid, as: manager.user, submit: true)[0]
            #expect(post["status"] as? String == "awaiting_client")
            let pid = try #require(post["id"] as? String)
            let seenByViewer = try await app.post(pid, in: wid, as: viewer.user)
            #expect(seenByViewer.object["actions"] as? [String] == ["comment"], "a view-only client may only comment")
            let byViewer = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: viewer.user.token)
            #expect(byViewer.status == .forbidden)
            let byManager = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: manager.user.token)
            #expect(byManager.status == .forbidden, "the client's approval cannot be given by the agency")

            let rejected = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/posts/\(pid)/reject", token: approver.user.token, json: ["comment": "Use the new logo"])
            #expect(status(rejected) == "needs_changes")
            let resubmitted = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/submit", token: manager.user.token)
            #expect(status(resubmitted) == "awaiting_client")
            let approved = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: approver.user.token)
            #expect(status(approved) == "scheduled")
            #expect((approved.object["clientApprovedBy"] as? [String: Any])?["name"] as? String == "Clara")
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "post.client_approved").count() == 1)
        }
    }

    @Test func clientsSeeSharedPostsAndNeverInternalNotes() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let account = try await app.addAccount("Harbor Bakery", to: wid)
            let client = try await app.addMember("Clara", to: wid, role: .client, accounts: [account])
            let draft = try await app.writePost("Internal idea", on: [account], in: wid, as: owner)[0]
            let shared = try await app.writePost("Going out", on: [account], in: wid, as: owner, submit: true)[0]
            let listed = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/posts", token: client.user.token)
            let ids = (listed.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [shared["id"] as? String], "drafts stay internal")
            #expect(try await app.post(draft["id"] as! String, in: wid, as: client.user).status == .notFound)

            let sid = try #require(shared["id"] as? String)
            let note = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/posts/\(sid)/comments", token: owner.token, json: ["text": "Client is picky", "internal": true])
            #expect(note.status == .created)
            app.clock.advance(by: 1)
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(sid)/comments", token: owner.token, json: ["text": "Looks good?"])
            app.clock.advance(by: 1)
            let byClient = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(sid)/comments", token: client.user.token, json: ["text": "Yes!"])
            #expect(byClient.status == .created)
            let sneaky = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/posts/\(sid)/comments", token: client.user.token, json: ["text": "x", "internal": true])
            #expect(sneaky.status == .unprocessableContent)
            func texts(_ user: TestUser) async throws -> [String] {
                let answer = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/posts/\(sid)/comments", token: user.token)
                return (answer.object["items"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            }
            #expect(try await texts(owner) == ["Client is picky", "Looks good?", "Yes!"])
            #expect(try await texts(client.user) == ["Looks good?", "Yes!"])
        }
    }

    @Test func badInputIsRefusedAndChangesNothing() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let account = try await app.addAccount("Harbor Bakery", to: wid)
            let other = try await app.addAccount("Other client", to: wid)
            let editor = try await app.addMember("Eddie", to: wid, role: .editor, accounts: [account])
            let path = "/api/v1/workspaces/\(wid)/posts"

            let past = try await app.client.send(
                .post, path, token: editor.user.token, json: ["accountIds": [account], "text": "Hi", "scheduledAt": app.time(in: -60), "submit": true])
            #expect(past.status == .unprocessableContent)
            #expect(past.problem?.errors?.map(\.field) == ["scheduledAt"])
            let ungranted = try await app.client.send(.post, path, token: editor.user.token, json: ["accountIds": [other], "text": "Hi"])
            #expect(ungranted.status == .notFound)
            let mixed = try await app.client.send(.post, path, token: editor.user.token, json: ["accountIds": [account, other], "text": "Hi"])
            #expect(mixed.status == .notFound, "one account the editor cannot see refuses the whole request")
            let empty = try await app.client.send(.post, path, token: editor.user.token, json: ["accountIds": [account], "text": "  "])
            #expect(empty.status == .unprocessableContent)
            let zone = try await app.client.send(
                .post, path, token: editor.user.token, json: ["accountIds": [account], "text": "Hi", "timeZone": "Mars/Olympus"])
            #expect(zone.status == .unprocessableContent)
            let link = try await app.client.send(.post, path, token: editor.user.token, json: ["accountIds": [account], "text": "Hi", "link": "javascript:alert(1)"])
            #expect(link.problem?.errors?.map(\.field) == ["link"])
            let filter = try await app.client.send(.get, path + "?status=lost", token: owner.token)
            #expect(filter.status == .unprocessableContent)
            #expect(filter.problem?.errors?.first?.field == "status")
            #expect(try await PostModel.query(on: app.db).count() == 0)

            let post = try await app.writePost("Hi", on: [account], in: wid, as: editor.user)[0]
            let pid = try #require(post["id"] as? String)
            let notWaiting = try await app.client.send(.post, "\(path)/\(pid)/approve", token: owner.token)
            #expect(notWaiting.status == .conflict)
            let moved = try await app.client.send(.patch, "\(path)/\(pid)", token: editor.user.token, json: ["scheduledAt": app.time(in: -5)])
            #expect(moved.status == .unprocessableContent)
            #expect(status(try await app.post(pid, in: wid, as: owner)) == "draft")
            let foreign = try await app.signup("Stranger")
            #expect(try await app.post(pid, in: wid, as: foreign).status == .notFound)
        }
    }

    @Test func editingAnApprovedPostSendsItThroughReviewAgain() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let account = try await app.addAccount("Harbor Bakery", to: wid)
            let editor = try await app.addMember("Eddie", to: wid, role: .editor, accounts: [account])
            let post = try await app.writePost("v1", on: [account], in: wid, as: editor.user, submit: true)[0]
            let pid = try #require(post["id"] as? String)
            #expect(status(try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: owner.token)) == "scheduled")
            let edited = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/posts/\(pid)", token: editor.user.token, json: ["text": "v2"])
            #expect(status(edited) == "pending_approval")
            #expect(edited.object["approvedBy"] == nil || edited.object["approvedBy"] is NSNull)
            let byOwner = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/posts/\(pid)", token: owner.token, json: ["text": "v3"])
            #expect(status(byOwner) == "scheduled", "a reviewer's own edit needs no review")
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/posts/\(pid)/approve", token: owner.token)
            let moved = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/posts/\(pid)", token: editor.user.token, json: ["scheduledAt": app.time(in: 7_200)])
            #expect(status(moved) == "scheduled", "moving a post in time keeps its approval")
        }
    }

    @Test func theListFiltersByStatusAccountAndTimeWithKeysetPages() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let first = try await app.addAccount("Harbor Bakery", to: wid)
            let second = try await app.addAccount("Northside Cycles", to: wid)
            for hour in 1...5 { _ = try await app.writePost("Post \(hour)", on: [first, second], in: wid, as: owner, at: Double(hour) * 3_600, submit: hour % 2 == 0) }
            let path = "/api/v1/workspaces/\(wid)/posts"
            var seen: [String] = []
            var cursor: String? = nil
            repeat {
                let page = try await app.client.send(.get, path + "?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: owner.token)
                seen += (page.object["items"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
                cursor = page.object["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == ["Post 1", "Post 1", "Post 2", "Post 2", "Post 3", "Post 3", "Post 4", "Post 4", "Post 5", "Post 5"])
            let scheduled = try await app.client.send(.get, path + "?status=scheduled&accountId=\(second)", token: owner.token)
            #expect((scheduled.object["items"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["Post 2", "Post 4"])
            let window = try await app.client.send(
                .get, path + "?from=\(app.time(in: 7_000))&to=\(app.time(in: 11_000))&accountId=\(first)", token: owner.token)
            #expect((window.object["items"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["Post 2", "Post 3"])
        }
    }
}
