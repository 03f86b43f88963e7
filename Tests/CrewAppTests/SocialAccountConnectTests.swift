import CrewConnectors
import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Connecting accounts through the whole OAuth round trip against the sandbox
/// platform on its own port: Crew → consent page → callback → account rows.
@Suite struct SocialAccountConnectTests {
    func accounts(_ app: TestApp, _ wid: String, _ user: TestUser, query: String = "") async throws -> [[String: Any]] {
        let answer = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/accounts\(query)", token: user.token)
        #expect(answer.status == .ok)
        return answer.object["items"] as? [[String: Any]] ?? []
    }

    func auditActions(_ app: TestApp, _ wid: String) async throws -> [String] {
        try await AuditEventModel.query(on: app.db).filter(\.$workspaceID == parseID(wid)).sort(\.$createdAt).all().map(\.action)
    }

    func notice(_ answer: TestResponse) -> (key: String, text: String)? {
        guard let location = answer.headers[.location] else { return nil }
        let query = ConsentBrowser.query("http://x" + location)
        if let text = query["notice"] { return ("notice", text) }
        return query["error"].map { ("error", $0) }
    }

    @Test func theRoundTripConnectsTheGrantedProfilesWithSealedCredentials() async throws {
        try await SandboxHarness.run { sandbox in
            try await TestApp.run(environment: sandbox.environment) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(as: owner)
                let start = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/accounts/connect", token: owner.token, json: ["platform": "sandbox"])
                #expect(start.status == .ok)
                let url = try #require(start.object["authorizeUrl"] as? String)
                let query = ConsentBrowser.query(url)
                #expect(url.hasPrefix(sandbox.baseURL + "/oauth/authorize?"))
                #expect(query["client_id"] == SandboxHarness.clientID)
                #expect(query["code_challenge_method"] == "S256")
                #expect(query["redirect_uri"] == "http://127.0.0.1:8080/oauth/callback/sandbox")
                #expect(SecureToken.isWellFormed(query["state"] ?? ""))

                let callback = try await ConsentBrowser.decide(authorizeURL: url, profiles: ["sbx-101", "sbx-103"], approve: true)
                let answer = try await app.client.send(.get, ConsentBrowser.pathAndQuery(callback), token: owner.token)
                #expect(answer.status == .seeOther || answer.status == .found)
                #expect(answer.headers[.location]?.hasPrefix("/w/\(wid)/accounts?notice=") == true)
                #expect(notice(answer)?.text == "Connected Harbor Bakery, Lumen Studio.")

                let listed = try await accounts(app, wid, owner)
                #expect(Set(listed.compactMap { $0["name"] as? String }) == ["Harbor Bakery", "Lumen Studio"])
                #expect(listed.allSatisfy { $0["status"] as? String == "connected" && $0["platform"] as? String == "sandbox" })
                #expect((listed.first?["connectedBy"] as? [String: Any])?["name"] as? String == "Olga")
                let workspace = try await app.client.send(.get, "/api/v1/workspaces/\(wid)", token: owner.token).object
                #expect((workspace["accounts"] as? [String: Any])?["used"] as? Int == 2)

                let rows = try await SocialAccountModel.query(on: app.db).all()
                for row in rows {
                    let sealed = try #require(row.credentialsSealed)
                    #expect(!sealed.contains("sbx_access"), "tokens never touch the database in the clear")
                    let opened = try #require(app.services.env.sealer.open(sealed))
                    #expect(opened.contains("sbx_access."))
                    #expect(row.tokenExpiresAt == app.clock.now.addingTimeInterval(3_600))
                }
                #expect(try await auditActions(app, wid).filter { $0 == "account.connected" }.count == 2)

                // The same state a second time: 400, and nothing changes.
                let again = try await app.client.send(.get, ConsentBrowser.pathAndQuery(callback), token: owner.token)
                #expect(again.status == .badRequest)
                #expect(again.problem?.code == "invalid_state")
                #expect(try await SocialAccountModel.query(on: app.db).count() == 2)
            }
        }
    }

    @Test func wrongForeignOrExpiredStatesAre400AndWriteNothing() async throws {
        try await SandboxHarness.run { sandbox in
            try await TestApp.run(environment: sandbox.environment) { app in
                let owner = try await app.signup("Olga")
                let intruder = try await app.signup("Ivan")
                let wid = try await app.createWorkspace(as: owner)
                let start = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/accounts/connect", token: owner.token, json: ["platform": "sandbox"])
                let url = try #require(start.object["authorizeUrl"] as? String)
                let callback = try await ConsentBrowser.decide(authorizeURL: url, profiles: ["sbx-101"], approve: true)
                let code = ConsentBrowser.query(callback)["code"] ?? ""
                let state = ConsentBrowser.query(callback)["state"] ?? ""
                for (path, token) in [
                    ("/oauth/callback/sandbox?code=\(code)", owner.token),
                    ("/oauth/callback/sandbox?code=\(code)&state=not-a-state", owner.token),
                    ("/oauth/callback/sandbox?code=\(code)&state=\(SecureToken.generate())", owner.token),
                    ("/oauth/callback/facebook?code=\(code)&state=\(state)", owner.token),
                    ("/oauth/callback/sandbox?code=\(code)&state=\(state)", intruder.token),
                ] {
                    let answer = try await app.client.send(.get, path, token: token)
                    #expect(answer.status == .badRequest, "\(path)")
                }
                app.clock.advance(by: SocialAccountService.attemptLifetime + 1)
                let late = try await app.client.send(.get, "/oauth/callback/sandbox?code=\(code)&state=\(state)", token: owner.token)
                #expect(late.status == .badRequest)
                #expect(late.text.contains("took longer than 10 minutes"))
                #expect(try await SocialAccountModel.query(on: app.db).count() == 0)
                #expect(try await auditActions(app, wid).contains("account.connected") == false)
                try await app.services.tokenRefresher.forgetStaleAttempts(on: app.db)
                #expect(try await OAuthAttemptModel.query(on: app.db).count() == 1, "kept for a day after expiry")
                app.clock.advance(by: 86_400)
                try await app.services.tokenRefresher.forgetStaleAttempts(on: app.db)
                #expect(try await OAuthAttemptModel.query(on: app.db).count() == 0)
            }
        }
    }

    @Test func aDeniedAuthorizationComesBackWithAMessageAndWritesNothing() async throws {
        try await SandboxHarness.run { sandbox in
            try await TestApp.run(environment: sandbox.environment) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(as: owner)
                let answer = try await app.connectSandbox(as: owner, to: wid, profiles: [], approve: false)
                #expect(answer.headers[.location]?.hasPrefix("/w/\(wid)/accounts?error=") == true)
                #expect(notice(answer)?.text.contains("denied") == true)
                #expect(try await SocialAccountModel.query(on: app.db).count() == 0)
                #expect(try await AccountGrantModel.query(on: app.db).count() == 0)
            }
        }
    }

    @Test func aFailingOrSlowTokenEndpointIsAClearErrorWithNoSecretInTheLogs() async throws {
        for behaviour in [BrokenPlatform.Behaviour.status(500), .delay(seconds: 3)] {
            try await BrokenPlatform.run(behaviour) { base in
                let environment = [
                    "CREW_SANDBOX_URL": base, "CREW_PLATFORM_SANDBOX_SECRET": "very-secret-client-secret", "CREW_CONNECTOR_TIMEOUT": "1",
                ]
                try await TestApp.run(environment: environment) { app in
                    let owner = try await app.signup("Olga")
                    let wid = try await app.createWorkspace(as: owner)
                    let start = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/accounts/connect", token: owner.token, json: ["platform": "sandbox"])
                    let state = ConsentBrowser.query(try #require(start.object["authorizeUrl"] as? String))["state"] ?? ""
                    let code = "secret-authorization-code-123"
                    let answer = try await app.client.send(.get, "/oauth/callback/sandbox?code=\(code)&state=\(state)", token: owner.token)
                    let message = try #require(notice(answer))
                    #expect(message.key == "error")
                    switch behaviour {
                    case .status: #expect(message.text.contains("sandbox refused the request (HTTP 500: server_error)"), "\(message.text)")
                    case .delay: #expect(message.text.contains("sandbox did not answer within 1 seconds"), "\(message.text)")
                    }
                    #expect(try await SocialAccountModel.query(on: app.db).count() == 0)
                    for line in app.logs.all {
                        #expect(!line.contains(code), "\(line)")
                        #expect(!line.contains("very-secret-client-secret"), "\(line)")
                        #expect(!line.contains(state), "\(line)")
                    }
                }
            }
        }
    }

    @Test func unknownUnconfiguredAndForbiddenStartsAreRefused() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let editor = try await app.addMember("Eddie", to: wid, role: .editor)
            let path = "/api/v1/workspaces/\(wid)/accounts/connect"
            let unknown = try await app.client.send(.post, path, token: owner.token, json: ["platform": "myspace"])
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.problem?.errors?.first?.field == "platform")
            let unconfigured = try await app.client.send(.post, path, token: owner.token, json: ["platform": "facebook"])
            #expect(unconfigured.status == .unprocessableContent)
            #expect(unconfigured.problem?.detail.contains("CREW_PLATFORM_FACEBOOK_CLIENT_ID") == true)
            let forbidden = try await app.client.send(.post, path, token: editor.user.token, json: ["platform": "sandbox"])
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.problem?.code == "forbidden")
            #expect(try await OAuthAttemptModel.query(on: app.db).count() == 0)

            let platforms = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/accounts/platforms", token: owner.token)
            let items = platforms.object["items"] as? [[String: Any]] ?? []
            #expect(items.count == Platform.allCases.count)
            #expect(items.first { $0["platform"] as? String == "sandbox" }?["available"] as? Bool == true)
            #expect(items.first { $0["platform"] as? String == "facebook" }?["available"] as? Bool == false)
        }
    }

    @Test func configuredRealPlatformsSendPeopleToThePlatform() async throws {
        let environment = ["CREW_PLATFORM_LINKEDIN_CLIENT_ID": "li-app", "CREW_PLATFORM_LINKEDIN_SECRET": "li-secret"]
        try await TestApp.run(environment: environment) { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let start = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/accounts/connect", token: owner.token, json: ["platform": "linkedin"])
            let url = try #require(start.object["authorizeUrl"] as? String)
            #expect(url.hasPrefix("https://www.linkedin.com/oauth/v2/authorization?"))
            #expect(ConsentBrowser.query(url)["redirect_uri"] == "http://127.0.0.1:8080/oauth/callback/linkedin")
            #expect(!url.contains("li-secret"))
        }
    }

    @Test func theSandboxConnectorPublishesAndReadsConversationsAndMetricsOverHTTP() async throws {
        try await SandboxHarness.run { sandbox in
            try await TestApp.run(environment: sandbox.environment) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(as: owner)
                _ = try await app.connectSandbox(as: owner, to: wid, profiles: ["sbx-104"])
                let account = try #require(try await SocialAccountModel.query(on: app.db).first())
                let tokens = try await app.services.tokenRefresher.usableTokens(of: account, on: app.db, logger: app.logs.logger())
                let connector = try #require(app.services.connectors.connector(for: .sandbox))

                let post = try await connector.publish(OutgoingPost(text: "Fresh bread at 7"), profileID: "sbx-104", tokens: tokens)
                #expect(post.externalID.hasPrefix("sbx-104-p"))
                #expect(post.url?.contains("/sbx-104/posts/") == true)
                let conversations = try await connector.conversations(profileID: "sbx-104", tokens: tokens)
                // The newest eight three-hour slots; the newest may not have begun.
                #expect((7...8).contains(conversations.count))
                #expect(conversations.allSatisfy { !$0.messages.isEmpty && !$0.participant.isEmpty })
                let days = try await connector.dailyMetrics(profileID: "sbx-104", from: "2026-11-01", to: "2026-11-30", tokens: tokens)
                #expect(days.map(\.day).first == "2026-11-01" && days.count == 30)
                #expect(days.allSatisfy { $0.impressions > $0.engagements && $0.engagements >= $0.clicks && $0.followers > 0 })
                #expect(days.last!.followers > days.first!.followers, "followers grow over a month")
                let again = try await connector.dailyMetrics(profileID: "sbx-104", from: "2026-11-01", to: "2026-11-30", tokens: tokens)
                #expect(again == days, "generated data is the same every time")

                // A profile the grant does not reach, and bad input, are refused by the platform.
                await #expect(throws: ConnectorError.platformError(status: 403, detail: "insufficient_scope: this profile was not granted")) {
                    _ = try await connector.conversations(profileID: "sbx-101", tokens: tokens)
                }
                await #expect(throws: ConnectorError.invalidGrant("access token refused")) {
                    _ = try await connector.conversations(profileID: "sbx-104", tokens: TokenSet(accessToken: "sbx_access.forged"))
                }
                await #expect(throws: ConnectorError.platformError(status: 400, detail: "invalid_request: text must be 1 to 5000 characters")) {
                    _ = try await connector.publish(OutgoingPost(text: "  "), profileID: "sbx-104", tokens: tokens)
                }
            }
        }
    }
}
