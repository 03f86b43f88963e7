import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
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
