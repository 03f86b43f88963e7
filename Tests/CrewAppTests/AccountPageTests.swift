import CrewCore
import CrewHTTP
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import Testing

/// The Social accounts page: what each person is offered and may do.
@Suite struct AccountPageTests {


    func options(_ html: String) -> [String] {
        html.components(separatedBy: "<option value=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    @Test func ownersSeeEveryPlatformAndDisconnectClientsOnlyTheirs() async throws {
        let environment = ["CREW_PLATFORM_FACEBOOK_CLIENT_ID": "fb", "CREW_PLATFORM_FACEBOOK_SECRET": "fbs"]
        try await TestApp.run(environment: environment) { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let page = try await app.client.send(.get, "/w/\(wid)/accounts", headers: owner.browser())
            #expect(page.status == .ok)
            #expect(page.text.contains(#"data-testid="no-accounts""#))
            #expect(options(page.text) == Platform.allCases.sorted().map(\.rawValue))
            #expect(page.text.contains(#"<option value="x" disabled>x (not configured)</option>"#))
            #expect(page.text.contains(#"<option value="facebook">facebook</option>"#))

            let account = try await app.addAccount("Harbor <Bakery>", to: wid)
            let client = try await app.addMember("Clara", to: wid, role: .client, allowedPlatforms: [.sandbox, .x], accounts: [account])
            let ownerView = try await app.client.send(.get, "/w/\(wid)/accounts", headers: owner.browser()).text
            #expect(ownerView.contains("Harbor &lt;Bakery&gt;"))
            #expect(ownerView.contains(#"data-testid="disconnect-account""#))

            let clientView = try await app.client.send(.get, "/w/\(wid)/accounts", headers: client.user.browser()).text
            #expect(clientView.contains("Harbor &lt;Bakery&gt;"))
            #expect(!clientView.contains(#"data-testid="disconnect-account""#), "clients get no delete control")
            #expect(options(clientView) == ["sandbox", "x"], "only the client's allowed platforms are offered")
            #expect(clientView.contains("x (not configured)"))

            // Posting the disconnect form anyway is refused and changes nothing.
            let token = try csrfToken(in: clientView)
            let answer = try await app.client.send(
                .post, "/w/\(wid)/accounts/\(account)/disconnect", body: "csrf_token=\(token)", headers: client.user.browser(form: true))
            #expect(answer.headers[.location]?.contains("error=") == true)
            #expect(try await SocialAccountModel.find(parseID(account), on: app.db)?.status == .connected)
        }
    }

    @Test func connectingFromThePageGoesToTheSandboxAndRefusalsComeBack() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let client = try await app.addMember("Clara", to: wid, role: .client, allowedPlatforms: [.sandbox])
            let nobody = try await app.addMember("Nina", to: wid, role: .client)
            let page = try await app.client.send(.get, "/w/\(wid)/accounts", headers: client.user.browser()).text
            let start = try await app.client.send(
                .post, "/w/\(wid)/accounts/connect", body: "csrf_token=\(try csrfToken(in: page))&platform=sandbox", headers: client.user.browser(form: true))
            #expect(start.headers[.location]?.hasPrefix("http://127.0.0.1:8080/sandbox/oauth/authorize?") == true)
            let refused = try await app.client.send(
                .post, "/w/\(wid)/accounts/connect", body: "csrf_token=\(try csrfToken(in: page))&platform=facebook", headers: client.user.browser(form: true))
            #expect(refused.headers[.location]?.hasPrefix("/w/\(wid)/accounts?error=") == true)

            let nobodyPage = try await app.client.send(.get, "/w/\(wid)/accounts", headers: nobody.user.browser()).text
            #expect(nobodyPage.contains(#"data-testid="cannot-connect""#))
            #expect(!nobodyPage.contains(#"data-testid="connect-account""#))

            // The sandbox Crew serves itself shows its consent page, untouched by Crew's sessions.
            let consent = try await app.client.send(.get, ConsentBrowser.pathAndQuery(try #require(start.headers[.location])), headers: client.user.browser())
            #expect(consent.status == .ok)
            #expect(consent.text.contains("Harbor Bakery"))
            #expect(consent.text.contains(#"id="sandbox-approve""#))
        }
    }
}

extension AccountPageTests {
    @Test func theCallbackNeedsTheSignedInStarterAndLogInLeadsBack() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let start = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/accounts/connect", token: owner.token, json: ["platform": "sandbox"])
            let state = ConsentBrowser.query(try #require(start.object["authorizeUrl"] as? String))["state"] ?? ""
            let callback = "/oauth/callback/sandbox?code=abc&state=\(state)"
            // Someone who is not signed in (a victim sent the link) is asked to log in first.
            let anonymous = try await app.client.send(.get, callback, headers: [.accept: "text/html"])
            let location = try #require(anonymous.headers[.location])
            #expect(location.hasPrefix("/login?next="))
            #expect(try await OAuthAttemptModel.query(on: app.db).first()?.finishedAt == nil, "the attempt is still open")
            let login = try await app.client.send(.get, location, headers: [.accept: "text/html"])
            #expect(login.text.contains(#"name="next" value="/oauth/callback/sandbox?code=abc&amp;state="#))
            let signedIn = try await app.client.send(
                .post, "/login", body: "email=\(owner.email)&password=correct%20horse%20battery&next=\(TeamPathEncoding.encode(callback))",
                headers: [.contentType: "application/x-www-form-urlencoded", .accept: "text/html"])
            #expect(signedIn.headers[.location] == callback)
            let offsite = try await app.client.send(
                .post, "/login", body: "email=\(owner.email)&password=correct%20horse%20battery&next=//evil.example.com/",
                headers: [.contentType: "application/x-www-form-urlencoded", .accept: "text/html"])
            #expect(offsite.headers[.location] == "/")
        }
    }
}

enum TeamPathEncoding {
    static func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
}
