import CrewCore
import CrewHTTP
import CrewStore
import CrewTestSupport
import HTTPTypes
import Testing

/// Cookie-authenticated unsafe requests need the CSRF token and a same-site origin.
@Suite struct CSRFTests {
    func cookieHeaders(_ token: String, csrf: String? = nil, fetchSite: String? = nil) -> HTTPFields {
        var headers = HTTPFields()
        headers[.cookie] = "\(SessionCookie.name)=\(token)"
        if let csrf { headers[SessionCookie.csrfHeader] = csrf }
        if let fetchSite { headers[HTTPField.Name("Sec-Fetch-Site")!] = fetchSite }
        return headers
    }

    func login(_ app: TestApp) async throws -> (token: String, csrf: String) {
        let dana = try await app.signup("Dana")
        let login = try await app.client.send(.post, "/api/v1/auth/login", json: ["email": dana.email, "password": dana.password])
        return (try #require(login.sessionCookie), try #require(login.object["csrfToken"] as? String))
    }

    @Test func cookiePostWithoutTokenIsRefusedAndChangesNothing() async throws {
        try await TestApp.run { app in
            let (cookie, _) = try await login(app)
            let response = try await app.client.send(
                .post, "/api/v1/workspaces", json: ["name": "W", "plan": "agency"], headers: cookieHeaders(cookie))
            #expect(response.status == .forbidden)
            #expect(response.problem?.code == "forbidden")
            #expect(try await WorkspaceModel.query(on: app.db).count() == 0)
        }
    }

    @Test func cookiePostWithWrongTokenIsRefused() async throws {
        try await TestApp.run { app in
            let (cookie, csrf) = try await login(app)
            let response = try await app.client.send(
                .post, "/api/v1/workspaces", json: ["name": "W", "plan": "agency"],
                headers: cookieHeaders(cookie, csrf: String(csrf.reversed())))
            #expect(response.status == .forbidden)
        }
    }

    @Test func cookiePostWithTokenSucceeds() async throws {
        try await TestApp.run { app in
            let (cookie, csrf) = try await login(app)
            let response = try await app.client.send(
                .post, "/api/v1/workspaces", json: ["name": "W", "plan": "agency"], headers: cookieHeaders(cookie, csrf: csrf))
            #expect(response.status == .created)
        }
    }

    @Test func crossSiteCookiePostIsRefusedEvenWithToken() async throws {
        try await TestApp.run { app in
            let (cookie, csrf) = try await login(app)
            let response = try await app.client.send(
                .post, "/api/v1/workspaces", json: ["name": "W", "plan": "agency"],
                headers: cookieHeaders(cookie, csrf: csrf, fetchSite: "cross-site"))
            #expect(response.status == .forbidden)
        }
    }

    @Test func formPostWithoutFieldIsRefused() async throws {
        try await TestApp.run { app in
            let (cookie, _) = try await login(app)
            var headers = cookieHeaders(cookie)
            headers[.contentType] = "application/x-www-form-urlencoded"
            let response = try await app.client.send(.post, "/api/v1/auth/logout", body: "x=1", headers: headers)
            #expect(response.status == .forbidden)
            #expect(try await app.client.send(.get, "/api/v1/me", headers: cookieHeaders(cookie)).status == .ok, "still signed in")
        }
    }

    @Test func bearerRequestsNeedNoCSRFToken() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let response = try await app.client.send(
                .post, "/api/v1/workspaces", token: dana.token, json: ["name": "W", "plan": "agency"],
                headers: cookieHeaders("unrelated", fetchSite: "cross-site"))
            #expect(response.status == .created)
        }
    }
}
