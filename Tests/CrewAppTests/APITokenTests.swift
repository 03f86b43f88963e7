import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import HummingbirdTesting
import Testing

@Suite struct APITokenTests {
    @Test func tokenIsShownOnceStoredHashedAndAuthenticates() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let created = try await app.client.send(.post, "/api/v1/me/tokens", token: dana.token, json: ["name": "Zapier"])
            #expect(created.status == .created)
            let secret = try #require(created.object["token"] as? String)
            #expect(secret.hasPrefix(AccountService.apiTokenPrefix))
            let list = try await app.client.send(.get, "/api/v1/me/tokens", token: dana.token)
            let items = try #require(list.object["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items[0]["name"] as? String == "Zapier")
            #expect(items[0]["token"] == nil)
            #expect(list.object.keys.contains("nextCursor"))
            let rows = try await APITokenModel.query(on: app.db).all()
            #expect(rows.map(\.tokenHash) == [SecureToken.hash(secret)])
            let me = try await app.client.send(.get, "/api/v1/me", token: secret)
            #expect(me.status == .ok)
            #expect(me.object["id"] as? String == dana.id)
        }
    }

    @Test func revokedTokenStopsWorking() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let created = try await app.client.send(.post, "/api/v1/me/tokens", token: dana.token, json: ["name": "ci"])
            let id = try #require(created.object["id"] as? String)
            let secret = try #require(created.object["token"] as? String)
            #expect(try await app.client.send(.delete, "/api/v1/me/tokens/\(id)", token: dana.token).status == .noContent)
            #expect(try await app.client.send(.get, "/api/v1/me", token: secret).status == .unauthorized)
            #expect(try await app.client.send(.delete, "/api/v1/me/tokens/\(id)", token: dana.token).status == .notFound)
            let list = try await app.client.send(.get, "/api/v1/me/tokens", token: dana.token)
            #expect((list.object["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func anotherPersonsTokenCannotBeRevoked() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let eve = try await app.signup("Eve")
            let created = try await app.client.send(.post, "/api/v1/me/tokens", token: dana.token, json: ["name": "ci"])
            let id = try #require(created.object["id"] as? String)
            let response = try await app.client.send(.delete, "/api/v1/me/tokens/\(id)", token: eve.token)
            #expect(response.status == .notFound)
            #expect(try await APITokenModel.query(on: app.db).filter(\.$revokedAt == nil).count() == 1)
        }
    }

    @Test func tokenNeedsAName() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let response = try await app.client.send(.post, "/api/v1/me/tokens", token: dana.token, json: ["name": "  "])
            #expect(response.status == .unprocessableContent)
            #expect(try await APITokenModel.query(on: app.db).count() == 0)
        }
    }
}

/// A token's limits: a scope (read, or read and write), one workspace, an
/// expiry. Within them it acts as its person; past them it is refused.
@Suite struct APITokenLimitTests {
    static func make(_ app: TestApp, _ user: TestUser, _ body: [String: any Sendable]) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/me/tokens", token: user.token, json: body)
    }

    @Test func aReadTokenReadsButCannotWrite() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let wid = try await app.createWorkspace(as: dana)
            let created = try await Self.make(app, dana, ["name": "dashboard", "scope": "read"])
            #expect(created.status == .created)
            #expect(created.object["scope"] as? String == "read")
            let secret = try #require(created.object["token"] as? String)
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members", token: secret).status == .ok)
            let write = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/invitations", token: secret, json: ["email": "new@example.com", "role": "editor"])
            #expect(write.status == .forbidden)
            #expect(write.problem?.code == "forbidden")
            #expect(try await InvitationModel.query(on: app.db).count() == 0)
            // The default is read and write.
            let full = try await Self.make(app, dana, ["name": "automation"])
            #expect(full.object["scope"] as? String == "read_write")
            let fullSecret = try #require(full.object["token"] as? String)
            let invited = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/invitations", token: fullSecret, json: ["email": "new@example.com", "role": "editor"])
            #expect(invited.status == .created)
        }
    }

    @Test func aWorkspaceTokenReachesOnlyItsWorkspace() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let mine = try await app.createWorkspace("Mine", as: dana)
            let other = try await app.createWorkspace("Other", as: dana)
            let created = try await Self.make(app, dana, ["name": "one client", "workspaceId": mine])
            #expect(created.object["workspaceId"] as? String == mine)
            let secret = try #require(created.object["token"] as? String)
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(mine)/members", token: secret).status == .ok)
            let elsewhere = try await app.client.send(.get, "/api/v1/workspaces/\(other)/members", token: secret)
            #expect(elsewhere.status == .notFound)
            let me = try await app.client.send(.get, "/api/v1/me", token: secret)
            let workspaces = try #require(me.object["workspaces"] as? [[String: Any]])
            #expect(workspaces.compactMap { $0["id"] as? String } == [mine])
            let before = try await WorkspaceModel.query(on: app.db).count()
            let create = try await app.client.send(.post, "/api/v1/workspaces", token: secret, json: ["name": "Sneaky", "plan": "agency"])
            #expect(create.status == .forbidden)
            #expect(try await WorkspaceModel.query(on: app.db).count() == before)
        }
    }

    @Test func aTokenExpiresAndIsThenUnknown() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let created = try await Self.make(app, dana, ["name": "a day", "expiresAt": app.time(in: 86_400)])
            #expect(created.status == .created)
            let secret = try #require(created.object["token"] as? String)
            #expect(try await app.client.send(.get, "/api/v1/me", token: secret).status == .ok)
            app.clock.advance(by: 86_401)
            let expired = try await app.client.send(.get, "/api/v1/me", token: secret)
            #expect(expired.status == .unauthorized)
            let list = try await app.client.send(.get, "/api/v1/me/tokens", token: dana.token)
            #expect((list.object["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aTokenCannotMakeOrRevokeTokens() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let created = try await Self.make(app, dana, ["name": "automation"])
            let id = try #require(created.object["id"] as? String)
            let secret = try #require(created.object["token"] as? String)
            let mint = try await app.client.send(.post, "/api/v1/me/tokens", token: secret, json: ["name": "wider"])
            #expect(mint.status == .forbidden)
            #expect(try await app.client.send(.delete, "/api/v1/me/tokens/\(id)", token: secret).status == .forbidden)
            #expect(try await APITokenModel.query(on: app.db).filter(\.$revokedAt == nil).count() == 1)
        }
    }

    @Test(arguments: [
        (["name": "x", "scope": "admin"], "scope"),
        (["name": "x", "expiresAt": "2001-01-01T00:00:00Z"], "expiresAt"),
        (["name": "x", "workspaceId": "not-a-uuid"], "workspaceId"),
    ] as [([String: String], String)])
    func badLimitsAreRefusedByField(body: [String: String], field: String) async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let response = try await Self.make(app, dana, body)
            #expect(response.status == .unprocessableContent)
            #expect(response.problem?.code == "validation_failed")
            #expect(response.text.contains(field))
            #expect(try await APITokenModel.query(on: app.db).count() == 0)
        }
    }

    @Test func aWorkspaceOfSomeoneElseIsRefused() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let eve = try await app.signup("Eve")
            let eves = try await app.createWorkspace("Eve's", as: eve)
            let response = try await Self.make(app, dana, ["name": "x", "workspaceId": eves])
            #expect(response.status == .unprocessableContent)
            #expect(try await APITokenModel.query(on: app.db).count() == 0)
        }
    }

    @Test func useIsRecordedAtMostOnceAMinute() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let created = try await Self.make(app, dana, ["name": "automation"])
            let secret = try #require(created.object["token"] as? String)
            _ = try await app.client.send(.get, "/api/v1/me", token: secret)
            let first = try #require(try await APITokenModel.query(on: app.db).first()?.lastUsedAt)
            app.clock.advance(by: 30)
            _ = try await app.client.send(.get, "/api/v1/me", token: secret)
            #expect(try await APITokenModel.query(on: app.db).first()?.lastUsedAt == first)
            app.clock.advance(by: 40)
            _ = try await app.client.send(.get, "/api/v1/me", token: secret)
            let later = try #require(try await APITokenModel.query(on: app.db).first()?.lastUsedAt)
            #expect(later > first)
            let list = try await app.client.send(.get, "/api/v1/me/tokens", token: dana.token)
            #expect((list.object["items"] as? [[String: Any]])?.first?["lastUsedAt"] is String)
        }
    }
}

/// `/tokens`, the page for the same: a token is made with its limits and
/// shown once, listed with them, and revoked.
@Suite struct TokenPageTests {
    @Test func aTokenIsMadeShownOnceListedAndRevokedFromItsPage() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let wid = try await app.createWorkspace("Acme", as: dana)
            let empty = try await app.client.send(.get, "/tokens", headers: dana.browser())
            #expect(empty.status == .ok && empty.text.contains("No tokens yet."))
            #expect(empty.text.contains("only Acme"))
            let csrf = try csrfToken(in: empty.text)

            let made = try await app.client.send(
                .post, "/tokens", body: "csrf_token=\(csrf)&name=Reports&scope=read&workspaceId=\(wid)&expiresOn=2099-01-31",
                headers: dana.browser(form: true))
            #expect(made.status == .ok)
            #expect(made.headers[.cacheControl] == "no-store")
            let start = try #require(made.text.range(of: #"data-testid="new-token-value""#)?.lowerBound)
            let token = try #require(made.text[..<start].components(separatedBy: "value=\"").last?.prefix { $0 != "\"" })
            #expect(token.hasPrefix("crew_pat_"))
            // The token works within its limits: it reads Acme and changes nothing.
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members", token: String(token)).status == .ok)
            #expect(try await app.client.send(.post, "/api/v1/workspaces", token: String(token), json: ["name": "X"]).status == .forbidden)
            // Listed with its limits, and never shown again.
            let listed = try await app.client.send(.get, "/tokens", headers: dana.browser()).text
            #expect(listed.contains("read only") && listed.contains("after 2099-01-31") && listed.contains(">Acme<"))
            #expect(!listed.contains(String(token)))

            let bad = try await app.client.send(
                .post, "/tokens", body: "csrf_token=\(csrf)&name=&scope=admin&expiresOn=2001-01-01", headers: dana.browser(form: true))
            #expect(bad.status == .unprocessableContent && bad.text.contains("data-testid=\"page-error\""))

            let row = try #require(try await APITokenModel.query(on: app.db).first())
            let revoked = try await app.client.send(
                .post, "/tokens/\(row.id!.apiString)/revoke", body: "csrf_token=\(csrf)", headers: dana.browser(form: true))
            #expect(revoked.headers[.location]?.contains("notice=") == true)
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members", token: String(token)).status == .unauthorized)
        }
    }
}
