import CrewConnectors
import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Who may connect, see, reconnect and disconnect accounts; the plan's account
/// limit; tokens that stop working.
@Suite struct SocialAccountAccessTests {
    func items(_ answer: TestResponse) -> [[String: Any]] { answer.object["items"] as? [[String: Any]] ?? [] }

    func audit(_ app: TestApp, _ action: String) async throws -> [AuditEventModel] {
        try await AuditEventModel.query(on: app.db).filter(\.$action == action).all()
    }

    @Test func clientsConnectOnlyAllowedPlatformsGetAGrantAndCanNeverRemove() async throws {
        try await SandboxHarness.run { sandbox in
            try await TestApp.run(environment: sandbox.environment) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(as: owner)
                let agencyAccount = try await app.addAccount("Agency page", to: wid)
                let client = try await app.addMember("Clara", to: wid, role: .client, allowedPlatforms: [.sandbox])
                let other = try await app.addMember("Otto", to: wid, role: .client, allowedPlatforms: [.facebook])

                let refused = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/accounts/connect", token: other.user.token, json: ["platform": "sandbox"])
                #expect(refused.status == .forbidden)
                #expect(refused.problem?.code == "platform_not_allowed")
                #expect(try await audit(app, "account.connect_refused").first?.afterJSON?.contains("platform_not_allowed") == true)

                let answer = try await app.connectSandbox(as: client.user, to: wid, profiles: ["sbx-105"])
                #expect(answer.headers[.location]?.contains("notice=") == true)
                let mine = items(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/accounts", token: client.user.token))
                #expect(mine.map { $0["name"] as? String } == ["Tidewater Yoga"], "the client sees what they connected, not the agency's account")
                let yoga = try #require(mine.first?["id"] as? String)

                let remove = try await app.client.send(.delete, "/api/v1/workspaces/\(wid)/accounts/\(yoga)", token: client.user.token)
                #expect(remove.status == .forbidden)
                #expect(remove.problem?.code == "clients_cannot_remove_accounts")
                let unassigned = try await app.client.send(.delete, "/api/v1/workspaces/\(wid)/accounts/\(agencyAccount)", token: client.user.token)
                #expect(unassigned.status == .notFound)
                #expect(try await audit(app, "account.remove_refused").count == 1)

                let removal = try await app.client.send(.delete, "/api/v1/workspaces/\(wid)/members/\(client.memberID)", token: owner.token)
                #expect(removal.status == .noContent)
                let all = items(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/accounts", token: owner.token))
                #expect(Set(all.compactMap { $0["name"] as? String }) == ["Agency page", "Tidewater Yoga"], "accounts stay when their client leaves")
                #expect(all.first { $0["name"] as? String == "Tidewater Yoga" }?["status"] as? String == "connected")
            }
        }
    }

    @Test func theCallbackChecksThePlatformAgain() async throws {
        try await SandboxHarness.run { sandbox in
            try await TestApp.run(environment: sandbox.environment) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(as: owner)
                let client = try await app.addMember("Clara", to: wid, role: .client, allowedPlatforms: [.sandbox])
                let start = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/accounts/connect", token: client.user.token, json: ["platform": "sandbox"])
                let url = try #require(start.object["authorizeUrl"] as? String)
                let edit = try await app.client.send(
                    .patch, "/api/v1/workspaces/\(wid)/members/\(client.memberID)", token: owner.token, json: ["allowedPlatforms": ["facebook"]])
                #expect(edit.status == .ok)
                let callback = try await ConsentBrowser.decide(authorizeURL: url, profiles: ["sbx-101"], approve: true)
                let answer = try await app.client.send(.get, ConsentBrowser.pathAndQuery(callback), token: client.user.token)
                #expect(answer.headers[.location]?.contains("error=") == true)
                #expect(try await SocialAccountModel.query(on: app.db).count() == 0)
                #expect(try await audit(app, "account.connect_refused").count == 1)
            }
        }
    }

    @Test func theAccountLimitHoldsAndRefusalsWriteNothing() async throws {
        try await SandboxHarness.run { sandbox in
            var environment = sandbox.environment
            environment["CREW_PLAN_TINY"] = "0/2"
            try await TestApp.run(environment: environment) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(plan: "tiny", as: owner)
                _ = try await app.addAccount("Old page", to: wid)
                let answer = try await app.connectSandbox(as: owner, to: wid, profiles: ["sbx-101", "sbx-102"])
                #expect(answer.headers[.location]?.contains("error=") == true)
                #expect(try await SocialAccountModel.query(on: app.db).count() == 1)
                #expect(try await audit(app, "account.connect_refused").first?.afterJSON?.contains("account_limit_reached") == true)
                let fits = try await app.connectSandbox(as: owner, to: wid, profiles: ["sbx-101"])
                #expect(fits.headers[.location]?.contains("notice=") == true)
                #expect(try await SocialAccountModel.query(on: app.db).count() == 2)
            }
        }
    }

    @Test func concurrentCallbacksNeverExceedTheAccountLimit() async throws {
        try await SandboxHarness.run { sandbox in
            var environment = sandbox.environment
            environment["CREW_PLAN_ONE"] = "0/1"
            environment["CREW_DB_POOL_SIZE"] = "6"
            try await TestApp.run(environment: environment) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(plan: "one", as: owner)
                // Every attempt grants a different profile, so each would add one account.
                var callbacks: [String] = []
                for profile in ["sbx-101", "sbx-102", "sbx-103", "sbx-104", "sbx-105", "sbx-106"] {
                    let start = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/accounts/connect", token: owner.token, json: ["platform": "sandbox"])
                    let url = try #require(start.object["authorizeUrl"] as? String)
                    callbacks.append(try await ConsentBrowser.decide(authorizeURL: url, profiles: [profile], approve: true))
                }
                let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for callback in callbacks {
                        group.addTask {
                            let answer = try await app.client.send(.get, ConsentBrowser.pathAndQuery(callback), token: owner.token)
                            return answer.headers[.location]?.contains("notice=") == true
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1)
                #expect(try await SocialAccountModel.query(on: app.db).count() == 1)
                #expect(try await audit(app, "account.connect_refused").count == 5)
            }
        }
    }

    @Test func tokensAreRefreshedAndABrokenGrantIsReconnectedKeepingTheAccount() async throws {
        try await SandboxHarness.run { sandbox in
            try await TestApp.run(environment: sandbox.environment) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(as: owner)
                let manager = try await app.addMember("Max", to: wid, role: .manager)
                _ = try await app.connectSandbox(as: manager.user, to: wid, profiles: ["sbx-102"])
                let account = try #require(try await SocialAccountModel.query(on: app.db).first())
                let firstExpiry = try #require(account.tokenExpiresAt)
                let refresher = app.services.tokenRefresher

                #expect(try await refresher.refreshDue(on: app.db, logger: app.logs.logger()) == .init())
                app.clock.advance(by: 3_600 - AccountTokenRefresher.margin + 1)
                #expect(try await refresher.refreshDue(on: app.db, logger: app.logs.logger()).refreshed == 1)
                let refreshed = try #require(try await SocialAccountModel.find(account.id, on: app.db))
                #expect(try #require(refreshed.tokenExpiresAt) > firstExpiry)

                // The person revokes Crew at the platform: the next refresh fails for good.
                let tokens = try #require(refresher.tokens(of: refreshed))
                try await revoke(tokens.refreshToken ?? "", at: sandbox)
                app.clock.advance(by: 3_600)
                #expect(try await refresher.refreshDue(on: app.db, logger: app.logs.logger()).needReconnect == 1)
                let listed = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/accounts/\(account.id!.apiString)", token: owner.token).object
                #expect(listed["status"] as? String == "needs_reconnect")
                #expect((listed["statusDetail"] as? String)?.contains("reconnect") == true)
                #expect(try await audit(app, "account.needs_reconnect").count == 1)

                let answer = try await app.connectSandbox(as: manager.user, to: wid, profiles: ["sbx-102"], accountID: account.id!.apiString)
                #expect(ConsentBrowser.query("http://x" + (answer.headers[.location] ?? ""))["notice"] == "Reconnected Northside Cycles.")
                let after = try await SocialAccountModel.query(on: app.db).all()
                #expect(after.map(\.id) == [account.id], "reconnecting keeps the same account")
                #expect(after.first?.status == .connected)
                #expect(try await AccountGrantModel.query(on: app.db).filter(\.$accountID == account.id!).count() == 1)
                #expect(try await audit(app, "account.reconnected").count == 1)
            }
        }
    }

    func revoke(_ token: String, at sandbox: SandboxHarness) async throws {
        let credentials = Data("\(SandboxHarness.clientID):\(sandbox.clientSecret)".utf8).base64EncodedString()
        let request = TokenRequest(
            url: sandbox.baseURL + SandboxConnector.Paths.revoke,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic \(credentials)")],
            body: FormEncoding.encode([("token", token)]))
        _ = try await PlatformHTTP(timeoutSeconds: 5).send(request)
    }

    @Test func disconnectingKeepsTheAccountAndFreesTheLimit() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let other = try await app.createWorkspace("Other", as: owner)
            let assigned = try await app.addAccount("Assigned", to: wid)
            let unassigned = try await app.addAccount("Unassigned", to: wid)
            let foreign = try await app.addAccount("Foreign", to: other)
            let manager = try await app.addMember("Max", to: wid, role: .manager, accounts: [assigned])
            let base = "/api/v1/workspaces/\(wid)/accounts"

            #expect(try await app.client.send(.delete, "\(base)/\(foreign)", token: owner.token).status == .notFound)
            #expect(try await app.client.send(.delete, "\(base)/\(unassigned)", token: manager.user.token).status == .notFound)
            #expect(try await app.client.send(.delete, "\(base)/not-an-id", token: owner.token).status == .notFound)
            #expect(try await app.client.send(.delete, "\(base)/\(assigned)", token: manager.user.token).status == .noContent)
            #expect(try await app.client.send(.delete, "\(base)/\(assigned)", token: owner.token).status == .noContent, "disconnecting twice is harmless")

            let active = items(try await app.client.send(.get, base, token: owner.token))
            #expect(active.map { $0["name"] as? String } == ["Unassigned"])
            let all = items(try await app.client.send(.get, "\(base)?status=all", token: owner.token))
            #expect(all.first { $0["name"] as? String == "Assigned" }?["status"] as? String == "disconnected")
            #expect(try await AccountGrantModel.query(on: app.db).count() == 1, "the grant stays for when it is reconnected")
            let workspace = try await app.client.send(.get, "/api/v1/workspaces/\(wid)", token: owner.token).object
            #expect((workspace["accounts"] as? [String: Any])?["used"] as? Int == 1)
            #expect(try await audit(app, "account.disconnected").count == 1)
            let bad = try await app.client.send(.get, "\(base)?status=gone", token: owner.token)
            #expect(bad.status == .unprocessableContent)
        }
    }

    @Test func membersSeeOnlyTheirAccountsAndListsPage() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace("Big", plan: "agency_plus", as: owner)
            var ids: [String] = []
            for index in 0..<7 {
                app.clock.advance(by: 1)
                ids.append(try await app.addAccount("Account \(index)", to: wid))
            }
            let editor = try await app.addMember("Eddie", to: wid, role: .editor, accounts: [ids[2], ids[5]])
            let seen = items(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/accounts", token: editor.user.token))
            #expect(seen.compactMap { $0["id"] as? String } == [ids[2], ids[5]])
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/accounts/\(ids[0])", token: editor.user.token).status == .notFound)

            var names: [String] = []
            var cursor: String? = nil
            repeat {
                let page = try await app.client.send(
                    .get, "/api/v1/workspaces/\(wid)/accounts?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: owner.token)
                names += items(page).compactMap { $0["name"] as? String }
                cursor = page.object["nextCursor"] as? String
            } while cursor != nil
            #expect(names == (0..<7).map { "Account \($0)" })
        }
    }
}
