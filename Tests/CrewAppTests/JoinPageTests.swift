import CrewCore
import CrewHTTP
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite struct JoinPageTests {
    let html: HTTPFields = [.accept: "text/html"]
    let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "text/html"]

    func linkToken(_ app: TestApp, _ wid: String, _ owner: TestUser) async throws -> String {
        let link = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/client-invite-link", token: owner.token)
        return String((link.object["url"] as? String ?? "").split(separator: "/").last ?? "")
    }

    @Test func openingTheLinkJoinsNobodyAndSigningUpJoins() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace("Acme", as: owner)
            let token = try await linkToken(app, wid, owner)
            let page = try await app.client.send(.get, "/join/\(token)", headers: html)
            #expect(page.status == .ok)
            #expect(page.text.contains("Join Acme"))
            #expect(try await MembershipModel.query(on: app.db).count() == 1)
            let joined = try await app.client.send(
                .post, "/join/\(token)", body: "mode=signup&name=Cleo&email=cleo%40example.com&password=a+long+password", headers: form)
            #expect(joined.status == .seeOther)
            #expect(joined.headers[.location]?.hasPrefix("/w/\(wid)") == true)
            #expect(joined.sessionCookie != nil)
            #expect(try await MembershipModel.query(on: app.db).filter(\.$joinedVia == "link").count() == 1)
        }
    }

    @Test func unknownAndInactiveLinksShowFriendlyPages() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let token = try await linkToken(app, wid, owner)
            let unknown = try await app.client.send(.get, "/join/\(SecureToken.generate())", headers: html)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType]?.hasPrefix("text/html") == true)
            _ = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/client-invite-link", token: owner.token, json: ["status": "disabled"])
            let inactive = try await app.client.send(.get, "/join/\(token)", headers: html)
            #expect(inactive.status == .gone)
            #expect(inactive.text.contains("not active"))
            let attempt = try await app.client.send(
                .post, "/join/\(token)", body: "mode=signup&name=Late&email=late%40example.com&password=a+long+password", headers: form)
            #expect(attempt.status == .gone)
            #expect(try await UserModel.query(on: app.db).filter(\.$email == "late@example.com").count() == 0, "no account is made for a dead link")
        }
    }

    @Test func theUsersPageShowsTheLinkPanel() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            var headers = html
            headers[.cookie] = "\(SessionCookie.name)=\(owner.token)"
            let page = try await app.client.send(.get, "/w/\(wid)/users", headers: headers)
            let token = try await linkToken(app, wid, owner)
            #expect(page.text.contains("/join/\(token)"))
            #expect(page.text.contains("Changes apply only to people who join afterwards"))
        }
    }
}
