import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct InviteLinkAPITests {
    func link(_ app: TestApp, _ wid: String, _ owner: TestUser) async throws -> [String: Any] {
        try await app.client.send(.get, "/api/v1/workspaces/\(wid)/client-invite-link", token: owner.token).object
    }

    func token(of link: [String: Any]) throws -> String {
        let url = try #require(link["url"] as? String)
        return String(url.split(separator: "/").last ?? "")
    }

    func patch(_ app: TestApp, _ wid: String, _ owner: TestUser, _ body: [String: any Sendable]) async throws -> TestResponse {
        try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/client-invite-link", token: owner.token, json: body)
    }

    @Test func theLinkIsCreatedOnFirstUseAndDisablesForAWhile() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let first = try await link(app, wid, owner)
            let url = try #require(first["url"] as? String)
            #expect(url.hasPrefix("http://127.0.0.1:8080/join/"))
            #expect(SecureToken.isWellFormed(try token(of: first)))
            #expect(first["status"] as? String == "enabled")
            #expect(first["active"] as? Bool == true)
            #expect(first["statusUntil"] is NSNull)
            #expect(first["maxUses"] is NSNull)

            let until = ISO8601DateFormatter().string(from: app.clock.now.addingTimeInterval(86_400))
            let disabled = try await patch(app, wid, owner, ["status": "disabled", "statusUntil": until])
            #expect(disabled.object["active"] as? Bool == false)
            #expect(disabled.object["url"] as? String == url, "disabling keeps the URL")
            let preview = try await app.client.send(.get, "/api/v1/join/\(try token(of: first))")
            #expect(preview.status == .gone)
            #expect(preview.problem?.code == "link_inactive")
            app.clock.advance(by: 86_400)
            let later = try await link(app, wid, owner)
            #expect(later["active"] as? Bool == true, "the status flips by itself")
            #expect(later["url"] as? String == url)
            #expect(try await app.client.send(.get, "/api/v1/join/\(try token(of: first))").status == .ok)
        }
    }

    @Test func badEditsAre422AndChangeNothing() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let other = try await app.createWorkspace("Other", as: owner)
            let foreign = try await app.addAccount("Foreign", to: other)
            let before = try await link(app, wid, owner)
            let past = ISO8601DateFormatter().string(from: app.clock.now.addingTimeInterval(-60))
            for body: [String: any Sendable] in [
                ["statusUntil": past], ["statusUntil": "tomorrow"], ["status": "paused"], ["maxUses": 0],
                ["permissions": ["fly"]], ["allowedPlatforms": ["myspace"]], ["accountIds": [foreign]],
            ] {
                let response = try await patch(app, wid, owner, body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.problem?.code == "validation_failed")
            }
            let after = try await link(app, wid, owner)
            #expect(after["updatedAt"] as? String == before["updatedAt"] as? String)
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "link.updated").count() == 0)
        }
    }

    @Test func onlyOwnersAndAdminsManageTheLink() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let admin = try await app.addMember("Ada", to: wid, role: .admin)
            let editor = try await app.addMember("Ed", to: wid, role: .editor)
            let client = try await app.addMember("Cy", to: wid, role: .client)
            let stranger = try await app.signup("Stan")
            let path = "/api/v1/workspaces/\(wid)/client-invite-link"
            #expect(try await app.client.send(.get, path, token: admin.user.token).status == .ok)
            // The link is read with the session of every GET, but shown only to those who manage it.
            let refused = try await app.client.send(.get, path, token: editor.user.token)
            #expect(refused.status == .forbidden && !refused.text.contains("/join/"))
            let hidden = try await app.client.send(.get, path, token: stranger.token)
            #expect(hidden.status == .notFound && !hidden.text.contains("/join/"))
            #expect(try await app.client.send(.post, path + "/refresh", token: client.user.token).status == .forbidden)
            #expect(try await app.client.send(.patch, path, token: client.user.token, json: ["status": "disabled"]).status == .forbidden)
            #expect(try await app.client.send(.get, path, token: stranger.token).status == .notFound)
        }
    }

    @Test func joinersGetACopyOfTheConfiguration() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace("Acme", as: owner)
            let account = try await app.addAccount("Acme Page", to: wid)
            let configured = try await patch(app, wid, owner, [
                "permissions": ["view_analytics"], "allowedPlatforms": ["sandbox", "instagram"], "accountIds": [account],
            ])
            let token = try token(of: configured.object)
            let preview = try await app.client.send(.get, "/api/v1/join/\(token)")
            #expect(preview.object["workspace"] as? [String: String] == ["name": "Acme"])
            #expect(preview.object["permissions"] as? [String] == ["view_analytics"])

            #expect(try await app.client.send(.post, "/api/v1/join/\(token)").status == .unauthorized)
            let cleo = try await app.signup("Cleo")
            let joined = try await app.client.send(.post, "/api/v1/join/\(token)", token: cleo.token)
            #expect(joined.status == .created)
            #expect(joined.object["role"] as? String == "client")
            #expect(joined.object["joinedVia"] as? String == "link")
            #expect(joined.object["permissions"] as? [String] == ["view_analytics"])
            #expect(joined.object["allowedPlatforms"] as? [String] == ["instagram", "sandbox"])
            #expect(joined.object["accountIds"] as? [String] == [account])

            let memberID = try #require(joined.object["id"] as? String)
            // The join is on record: who, which member, with what, from where.
            let event = try #require(try await AuditEventModel.query(on: app.db).filter(\.$action == "link.joined").first())
            #expect(event.targetID == memberID)
            #expect(event.actorUserID?.apiString == cleo.id)
            #expect(event.targetLabel == cleo.email)
            #expect(event.afterJSON?.contains("view_analytics") == true)
            #expect(event.afterJSON?.contains(SecureToken.fingerprint(token)) == true)

            _ = try await patch(app, wid, owner, ["permissions": ["publish_posts", "manage_inbox"], "allowedPlatforms": [String]()])
            let unchanged = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members/\(memberID)", token: owner.token)
            #expect(unchanged.object["permissions"] as? [String] == ["view_analytics"], "later edits change no existing client")
            #expect(unchanged.object["allowedPlatforms"] as? [String] == ["instagram", "sandbox"])

            let again = try await app.client.send(.post, "/api/v1/join/\(token)", token: cleo.token)
            #expect(again.status == .ok)
            let ownerOpens = try await app.client.send(.post, "/api/v1/join/\(token)", token: owner.token)
            #expect(ownerOpens.status == .ok)
            #expect(ownerOpens.object["role"] as? String == "owner", "an existing member keeps their role")
            #expect(try await link(app, wid, owner)["uses"] as? Int == 1)
        }
    }

    @Test func refreshKillsTheOldURLAtOnce() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let old = try token(of: try await link(app, wid, owner))
            let refreshed = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/client-invite-link/refresh", token: owner.token)
            let new = try token(of: refreshed.object)
            #expect(new != old)
            let joiner = try await app.signup("Jo")
            #expect(try await app.client.send(.get, "/api/v1/join/\(old)").status == .gone)
            #expect(try await app.client.send(.post, "/api/v1/join/\(old)", token: joiner.token).status == .gone)
            #expect(try await app.client.send(.post, "/api/v1/join/\(new)", token: joiner.token).status == .created)
            let events = try await AuditEventModel.query(on: app.db).filter(\.$action ~~ ["link.refreshed", "link.joined"]).all()
            let text = events.map { ($0.beforeJSON ?? "") + ($0.afterJSON ?? "") }.joined()
            #expect(text.contains(SecureToken.fingerprint(new)))
            #expect(!text.contains(new) && !text.contains(old), "audit rows carry fingerprints, never tokens")
            let refusals = try await AuditEventModel.query(on: app.db).filter(\.$action == "link.join_refused").all()
            #expect(refusals.count == 1, "the join with the refreshed token is on record")
            let logs = app.logs.all.joined(separator: "\n")
            #expect(!logs.contains(new) && !logs.contains(old), "logs never contain a link token")
        }
    }

    @Test func unknownTokensAre404AlikeAndInactiveAre410() async throws {
        try await TestApp.run { app in
            let unknown = try await app.client.send(.get, "/api/v1/join/\(SecureToken.generate())")
            let malformed = try await app.client.send(.get, "/api/v1/join/short!")
            #expect(unknown.status == .notFound)
            #expect(malformed.status == .notFound)
            #expect(unknown.text == malformed.text)
        }
    }

    @Test func aJoinOverTheSeatLimitIsRefusedAndOnlyAudited() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)
            for i in 0..<2 { _ = try await app.addMember("E\(i)", to: wid, role: .editor) }
            let token = try token(of: try await patch(app, wid, owner, ["permissions": ["publish_posts"]]).object)
            let joiner = try await app.signup("Jo")
            let refused = try await app.client.send(.post, "/api/v1/join/\(token)", token: joiner.token)
            #expect(refused.status == .conflict)
            #expect(refused.problem?.code == "seat_limit_reached")
            #expect(refused.problem?.detail.contains("Contact the workspace owner") == true)
            #expect(try await MembershipModel.query(on: app.db).count() == 3)
            #expect(try await link(app, wid, owner)["uses"] as? Int == 0)
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "link.join_refused").count() == 1)
        }
    }

    @Test func joinersWaitForApprovalWhenRequired() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let token = try token(of: try await patch(app, wid, owner, ["requireApproval": true, "permissions": ["manage_inbox"]]).object)
            let ann = try await app.signup("Ann")
            let bob = try await app.signup("Bob")
            let waiting = try await app.client.send(.post, "/api/v1/join/\(token)", token: ann.token)
            #expect(waiting.status == .accepted)
            _ = try await app.client.send(.post, "/api/v1/join/\(token)", token: bob.token)
            let list = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/join-requests", token: owner.token)
            let items = try #require(list.object["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["name"] as? String } == ["Ann", "Bob"])
            #expect(try await MembershipModel.query(on: app.db).count() == 1, "nobody joins before approval")
            let approved = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/join-requests/\(items[0]["id"]!)/approve", token: owner.token)
            #expect(approved.status == .created)
            #expect(approved.object["permissions"] as? [String] == ["manage_inbox"])
            #expect(try await app.client.send(.post, "/api/v1/workspaces/\(wid)/join-requests/\(items[1]["id"]!)/decline", token: owner.token).status == .noContent)
            let after = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/join-requests", token: owner.token)
            #expect((after.object["items"] as? [Any])?.isEmpty == true)
            #expect(try await MembershipModel.query(on: app.db).count() == 2)
        }
    }

    @Test func wrongTokensAreRateLimitedPerAddress() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let good = try token(of: try await link(app, wid, owner))
            let links = InviteLinkService(env: app.services.env)
            for _ in 0..<InviteLinkService.missLimit {
                await #expect(throws: DomainError.self) { try await links.preview(token: SecureToken.generate(), ip: "203.0.113.7", on: app.db) }
            }
            do {
                _ = try await links.preview(token: good, ip: "203.0.113.7", on: app.db)
                Issue.record("expected rate limiting")
            } catch let error as DomainError {
                #expect(error.code == "rate_limited")
            }
            #expect(try await links.preview(token: good, ip: "198.51.100.1", on: app.db).workspace.name == "Acme Agency")
            app.clock.advance(by: 61)
            #expect(try await links.preview(token: good, ip: "203.0.113.7", on: app.db).workspace.name == "Acme Agency")
            let response = try await app.client.send(.get, "/api/v1/join/\(SecureToken.generate())")
            #expect(response.status == .notFound)
        }
    }

    @Test func noTableHoldsARawToken() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let first = try token(of: try await link(app, wid, owner))
            let second = try token(of: try await app.client.send(.post, "/api/v1/workspaces/\(wid)/client-invite-link/refresh", token: owner.token).object)
            let joiner = try await app.signup("Jo")
            _ = try await app.client.send(.post, "/api/v1/join/\(second)", token: joiner.token)
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": "x@example.com", "role": "client"])
            let secrets = [first, second, owner.token, joiner.token]
            let sql = try #require(app.db as? any SQLDatabase)
            let tables = ["users", "sessions", "api_tokens", "workspaces", "memberships", "audit_events", "social_accounts",
                          "account_grants", "invitations", "invite_links", "retired_link_tokens", "join_requests", "rate_limits"]
            var cells = 0
            for table in tables {
                for row in try await sql.raw("SELECT * FROM \(ident: table)").all() {
                    for column in row.allColumns {
                        guard let text = try? row.decode(column: column, as: String.self) else { continue }
                        cells += 1
                        for secret in secrets { #expect(!text.contains(secret), "\(table).\(column) holds a raw token") }
                    }
                }
            }
            #expect(cells > 20)
        }
    }
}
