import CrewApp
import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite struct AuthAPITests {
    @Test func signupCreatesANormalisedAccountAndSignsIn() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(
                .post, "/api/v1/auth/signup", json: ["email": "  Dana@Example.COM ", "password": "long enough pw", "name": " Dana "])
            #expect(response.status == .created)
            let user = response.object["user"] as? [String: Any]
            #expect(user?["email"] as? String == "dana@example.com")
            #expect(user?["name"] as? String == "Dana")
            let token = try #require(response.object["token"] as? String)
            #expect(response.sessionCookie == token)
            let me = try await app.client.send(.get, "/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(me.object["email"] as? String == "dana@example.com")
            #expect((me.object["workspaces"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func duplicateEmailIsAConflictWhateverItsCase() async throws {
        try await TestApp.run { app in
            _ = try await app.signup("Dana", email: "dana@example.com")
            let again = try await app.client.send(
                .post, "/api/v1/auth/signup", json: ["email": " DANA@example.com", "password": "another password", "name": "Other"])
            #expect(again.status == .conflict)
            #expect(again.problem?.code == "conflict")
            #expect(again.headers[.contentType] == "application/problem+json")
            #expect(try await UserModel.query(on: app.db).count() == 1)
        }
    }

    @Test func invalidSignupsReportEveryFieldAndCreateNothing() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(
                .post, "/api/v1/auth/signup", json: ["email": "not-an-email", "password": "short", "name": ""])
            #expect(response.status == .unprocessableContent)
            let problem = try #require(response.problem)
            #expect(problem.code == "validation_failed")
            #expect(Set(problem.errors?.map(\.field) ?? []) == ["email", "password", "name"])
            #expect(try await UserModel.query(on: app.db).count() == 0)
        }
    }

    @Test func wrongPasswordAndUnknownEmailAnswerAlike() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let wrong = try await app.client.send(.post, "/api/v1/auth/login", json: ["email": dana.email, "password": "wrong password!"])
            let unknown = try await app.client.send(.post, "/api/v1/auth/login", json: ["email": "nobody@example.com", "password": "wrong password!"])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.text == unknown.text)
            #expect(wrong.sessionCookie == nil)
        }
    }

    @Test func everyLoginMintsAFreshTokenStoredOnlyAsItsHash() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            var headers = HTTPFields()
            headers[.cookie] = "\(SessionCookie.name)=\(dana.token)"
            let login = try await app.client.send(
                .post, "/api/v1/auth/login", json: ["email": dana.email.uppercased(), "password": dana.password], headers: headers)
            #expect(login.status == .ok)
            let token = try #require(login.object["token"] as? String)
            #expect(token != dana.token, "a login never reuses the token the client sent")
            #expect(SecureToken.isWellFormed(token))
            let stored = try await SessionModel.query(on: app.db).all()
            #expect(stored.count == 2)
            #expect(stored.allSatisfy { $0.tokenHash != token && $0.tokenHash != dana.token })
            #expect(Set(stored.map(\.tokenHash)) == [SecureToken.hash(token), SecureToken.hash(dana.token)])
        }
    }

    @Test func sessionCookieIsHttpOnlyAndLax() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(
                .post, "/api/v1/auth/signup", json: ["email": "c@example.com", "password": "long enough pw", "name": "C"])
            let cookie = try #require(response.setCookieHeader(named: SessionCookie.name))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))
        }
    }

    @Test func sessionCookieIsSecureBehindHTTPS() async throws {
        try await TestApp.run(environment: ["CREW_PUBLIC_URL": "https://crew.example.com"]) { app in
            let response = try await app.client.send(
                .post, "/api/v1/auth/signup", json: ["email": "c@example.com", "password": "long enough pw", "name": "C"])
            #expect(response.setCookieHeader(named: SessionCookie.name)?.contains("Secure") == true)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            #expect(try await app.client.send(.post, "/api/v1/auth/logout", token: dana.token).status == .noContent)
            let after = try await app.client.send(.get, "/api/v1/me", token: dana.token)
            #expect(after.status == .unauthorized)
            #expect(after.problem?.code == "unauthenticated")
        }
    }

    @Test func sessionsExpire() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            app.clock.advance(by: 29 * 24 * 3600)
            #expect(try await app.client.send(.get, "/api/v1/me", token: dana.token).status == .ok)
            app.clock.advance(by: 2 * 24 * 3600)
            #expect(try await app.client.send(.get, "/api/v1/me", token: dana.token).status == .unauthorized)
        }
    }

    @Test(arguments: [nil, "garbage", "Bearer", "Bearer not-a-token", "Basic Zm9vOmJhcg=="])
    func missingOrBogusCredentialsAre401(authorization: String?) async throws {
        try await TestApp.run { app in
            var headers = HTTPFields()
            if let authorization { headers[.authorization] = authorization }
            let response = try await app.client.send(.get, "/api/v1/me", headers: headers)
            #expect(response.status == .unauthorized)
            #expect(response.problem?.code == "unauthenticated")
        }
    }

    @Test func passwordsAndTokensNeverReachTheLog() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana", password: "very-secret-password-1")
            let login = try await app.client.send(.post, "/api/v1/auth/login", json: ["email": dana.email, "password": dana.password])
            let token = try #require(login.object["token"] as? String)
            _ = try await app.client.send(.get, "/api/v1/me", token: token)
            let pat = try await app.client.send(.post, "/api/v1/me/tokens", token: token, json: ["name": "ci"])
            let patToken = try #require(pat.object["token"] as? String)
            _ = try await app.client.send(.get, "/api/v1/me", token: patToken)
            let logs = app.logs.all.joined(separator: "\n")
            #expect(!logs.isEmpty)
            for secret in [dana.password, dana.token, token, patToken] {
                #expect(!logs.contains(secret))
            }
        }
    }

    @Test func productionBcryptCostIs12() async throws {
        let configuration = try CrewConfiguration.load(environment: [:])
        #expect(configuration.bcryptCost == 12)
        let hash = try await PasswordHasher(cost: UInt8(configuration.bcryptCost)).hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$12$"))
        #expect(try await PasswordHasher(cost: 12).verify("correct horse battery", hash: hash))
    }
}
