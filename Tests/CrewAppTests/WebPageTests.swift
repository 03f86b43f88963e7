import CrewCore
import CrewHTTP
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite struct WebPageTests {
    let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "text/html"]

    func formBody(_ fields: [String: String]) -> String {
        fields.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
        }.joined(separator: "&")
    }

    func withCookie(_ cookie: String, _ base: HTTPFields = [.accept: "text/html"]) -> HTTPFields {
        var headers = base
        headers[.cookie] = "\(SessionCookie.name)=\(cookie)"
        return headers
    }


    @Test func anonymousVisitorsAreSentToLogIn() async throws {
        try await TestApp.run { app in
            let home = try await app.client.send(.get, "/", headers: [.accept: "text/html"])
            #expect(home.status == .seeOther || home.status == .found)
            #expect(home.headers[.location] == "/login")
            let login = try await app.client.send(.get, "/login")
            #expect(login.status == .ok)
            #expect(login.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(login.text.contains("<form method=\"post\" action=\"/login\">"))
        }
    }

    @Test func signUpCreateAWorkspaceAndSeeItsHome() async throws {
        try await TestApp.run { app in
            let signup = try await app.client.send(
                .post, "/signup", body: formBody(["name": "Dana Web", "email": "dana@example.com", "password": "long enough pw"]),
                headers: form)
            #expect(signup.status == .found)
            let cookie = try #require(signup.sessionCookie)
            let welcome = try await app.client.send(.get, "/", headers: withCookie(cookie))
            #expect(welcome.status == .ok)
            #expect(welcome.text.contains("Dana Web"))
            let newPage = try await app.client.send(.get, "/workspaces/new", headers: withCookie(cookie))
            let token = try csrfToken(in: newPage.text)
            let created = try await app.client.send(
                .post, "/workspaces", body: formBody(["name": "Web Agency", "plan": "small_team", "csrf_token": token]),
                headers: withCookie(cookie, form))
            #expect(created.status == .found)
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("/w/"))
            let home = try await app.client.send(.get, location, headers: withCookie(cookie))
            #expect(home.status == .ok)
            #expect(home.text.contains(#"data-testid="workspace-name">Web Agency<"#))
            #expect(home.text.contains("0 of 2"))
            let root = try await app.client.send(.get, "/", headers: withCookie(cookie))
            #expect(root.headers[.location] == location, "the root opens the first workspace")
        }
    }

    @Test func formWithoutCSRFTokenIsRefused() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let response = try await app.client.send(
                .post, "/workspaces", body: formBody(["name": "X", "plan": "agency"]), headers: withCookie(dana.token, form))
            #expect(response.status == .forbidden)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(try await WorkspaceModel.query(on: app.db).count() == 0)
        }
    }

    @Test func wrongPasswordShowsTheFormAgain() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let response = try await app.client.send(
                .post, "/login", body: formBody(["email": dana.email, "password": "not the password"]), headers: form)
            #expect(response.status == .unauthorized)
            #expect(response.text.contains("Email or password is incorrect."))
            #expect(response.sessionCookie == nil)
        }
    }

    @Test func forgotPasswordMailsALinkWhosePageSetsTheNewPassword() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana Web")
            let login = try await app.client.send(.get, "/login")
            #expect(login.text.contains("href=\"/forgot-password\""))
            #expect(try await app.client.send(.get, "/forgot-password").status == .ok)
            let asked = try await app.client.send(.post, "/forgot-password", body: formBody(["email": dana.email]), headers: form)
            #expect(asked.status == .ok)
            #expect(asked.text.contains("on its way"))
            let token = try await app.tokenInNewestMail(to: dana.email, kind: "password_reset")
            let page = try await app.client.send(.get, "/reset-password?token=\(token)")
            #expect(page.status == .ok)
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.text.contains("value=\"\(token)\""))
            let short = try await app.client.send(.post, "/reset-password", body: formBody(["token": token, "password": "short"]), headers: form)
            #expect(short.status == .unprocessableContent)
            let set = try await app.client.send(
                .post, "/reset-password", body: formBody(["token": token, "password": "a brand new passphrase"]), headers: form)
            #expect(set.status == .ok)
            #expect(set.text.contains("Your new password is set"))
            let again = try await app.client.send(
                .post, "/reset-password", body: formBody(["token": token, "password": "a brand new passphrase"]), headers: form)
            #expect(again.status == .gone)
            #expect(again.text.contains("Ask for a new link"))
            let signedIn = try await app.client.send(
                .post, "/login", body: formBody(["email": dana.email, "password": "a brand new passphrase"]), headers: form)
            #expect(signedIn.status == .found)
        }
    }

    @Test func aLockedLogInSaysHowLongToWait() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana Web")
            for _ in 0..<3 {
                _ = try await app.client.send(.post, "/login", body: formBody(["email": dana.email, "password": "not it"]), headers: form)
            }
            let braked = try await app.client.send(.post, "/login", body: formBody(["email": dana.email, "password": dana.password]), headers: form)
            #expect(braked.status == .tooManyRequests)
            #expect(braked.text.contains("try again in 1 second."))
        }
    }

    @Test func invalidSignupKeepsWhatWasTyped() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(
                .post, "/signup", body: formBody(["name": "<b>Dana</b>", "email": "dana@example.com", "password": "short"]), headers: form)
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("at least 10 characters"))
            #expect(response.text.contains("&lt;b&gt;Dana&lt;/b&gt;"), "values are HTML-escaped")
            #expect(!response.text.contains("<b>Dana</b>"))
        }
    }

    @Test func anotherPersonsWorkspacePageIsNotFound() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let eve = try await app.signup("Eve")
            let id = try await app.createWorkspace(as: dana)
            let response = try await app.client.send(.get, "/w/\(id)", headers: withCookie(eve.token))
            #expect(response.status == .notFound)
            #expect(response.text.contains("No such workspace."))
        }
    }

    @Test func logOutClearsTheCookie() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let page = try await app.client.send(.get, "/workspaces/new", headers: withCookie(dana.token))
            let response = try await app.client.send(
                .post, "/logout", body: formBody(["csrf_token": try csrfToken(in: page.text)]), headers: withCookie(dana.token, form))
            #expect(response.status == .found)
            #expect(response.headers[.location] == "/login")
            #expect(response.sessionCookie == "")
            #expect(try await app.client.send(.get, "/api/v1/me", token: dana.token).status == .unauthorized)
        }
    }

    @Test func stylesheetIsServed() async throws {
        try await TestApp.run { app in
            let css = try await app.client.send(.get, "/static/crew.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType]?.hasPrefix("text/css") == true)
            #expect(css.text.contains(".topbar"))
        }
    }
}
