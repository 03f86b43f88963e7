import CrewCore
import CrewHTTP
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import Testing

@Suite struct TeamPageTests {
    let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "text/html"]



    @Test func usersPageListsMembersSeatsAndInvitations() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)
            _ = try await app.addMember("Cy <Client>", to: wid, role: .client, permissions: [.publishPosts])
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": "p@example.com", "role": "editor"])
            let page = try await app.client.send(.get, "/w/\(wid)/users", headers: owner.browser())
            #expect(page.status == .ok)
            #expect(page.text.contains("Cy &lt;Client&gt;"))
            #expect(page.text.contains(#"data-testid="seat-usage">Seats used: <strong>2 of 2</strong>"#))
            #expect(page.text.contains("p@example.com"))
            #expect(page.text.contains("Publish posts"))
        }
    }

    @Test func onlyManagersSeeTheUsersPage() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let editor = try await app.addMember("Ed", to: wid, role: .editor)
            let page = try await app.client.send(.get, "/w/\(wid)/users", headers: editor.user.browser())
            #expect(page.status == .forbidden)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test func inviteFromTheFormAndSeeTheSeatRefusal() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)
            let token = try csrfToken(in: try await app.client.send(.get, "/w/\(wid)/users", headers: owner.browser()).text)
            let ok = try await app.client.send(
                .post, "/w/\(wid)/users/invite", body: "csrf_token=\(token)&emails=a%40example.com%0Ab%40example.com&role=editor",
                headers: owner.browser(form: true))
            #expect(ok.status == .seeOther)
            #expect(ok.headers[.location]?.contains("notice=") == true)
            let full = try await app.client.send(
                .post, "/w/\(wid)/users/invite", body: "csrf_token=\(token)&emails=c%40example.com&role=manager",
                headers: owner.browser(form: true))
            let location = try #require(full.headers[.location])
            #expect(location.contains("error="))
            let shown = try await app.client.send(.get, location, headers: owner.browser())
            #expect(shown.text.contains("The small_team plan has 2 seats"))
            #expect(try await InvitationModel.query(on: app.db).count() == 2)
        }
    }

    @Test func bulkDeleteFromTheForm() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let a = try await app.addMember("A", to: wid, role: .client)
            let b = try await app.addMember("B", to: wid, role: .client)
            let token = try csrfToken(in: try await app.client.send(.get, "/w/\(wid)/users", headers: owner.browser()).text)
            let response = try await app.client.send(
                .post, "/w/\(wid)/members/bulk-delete",
                body: "csrf_token=\(token)&memberIds[]=\(a.memberID)&memberIds[]=\(b.memberID)", headers: owner.browser(form: true))
            #expect(response.headers[.location]?.contains("Removed%202%20members") == true)
            #expect(try await MembershipModel.query(on: app.db).count() == 1)
        }
    }

    @Test func bulkRoleChangeFromTheForm() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let a = try await app.addMember("A", to: wid, role: .editor)
            let b = try await app.addMember("B", to: wid, role: .editor)
            let page = try await app.client.send(.get, "/w/\(wid)/users", headers: owner.browser()).text
            #expect(page.contains("data-testid=\"bulk-role\""))
            let token = try csrfToken(in: page)
            let response = try await app.client.send(
                .post, "/w/\(wid)/members/bulk-update",
                body: "csrf_token=\(token)&bulkRole=manager&memberIds[]=\(a.memberID)&memberIds[]=\(b.memberID)", headers: owner.browser(form: true))
            #expect(response.headers[.location]?.contains("Made%202%20members%20managers") == true, "\(response.headers[.location] ?? "")")
            #expect(try await MembershipModel.query(on: app.db).filter(\.$roleText == "manager").count() == 2)
        }
    }

    /// `YYYY-MM-DD`, UTC, of a time, as a date field sends it.
    func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    @Test func accessEndsAreSetFromTheFormsAndShownOnTheUsersPage() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let a = try await app.addMember("Ann", to: wid, role: .client)
            let b = try await app.addMember("Bob", to: wid, role: .client)
            let token = try csrfToken(in: try await app.client.send(.get, "/w/\(wid)/users", headers: owner.browser()).text)
            let lastDay = day(app.clock.now.addingTimeInterval(10 * 86_400))
            let bulk = try await app.client.send(
                .post, "/w/\(wid)/members/bulk-access",
                body: "csrf_token=\(token)&bulkAccessUntil=\(lastDay)&memberIds[]=\(a.memberID)&memberIds[]=\(b.memberID)",
                headers: owner.browser(form: true))
            #expect(bulk.headers[.location]?.contains("notice=") == true, "\(bulk.headers[.location] ?? "")")
            let ends = try await MembershipModel.query(on: app.db).filter(\.$accessUntil != nil).all()
            #expect(ends.count == 2)
            // Through the end of the chosen day, UTC.
            #expect(ends.allSatisfy { day($0.accessUntil!.addingTimeInterval(-1)) == lastDay && day($0.accessUntil!) != lastDay })
            let page = try await app.client.send(.get, "/w/\(wid)/users", headers: owner.browser()).text
            #expect(page.contains("until \(lastDay)"))

            // The edit form clears one; a day gone by is refused with the field named.
            let cleared = try await app.client.send(
                .post, "/w/\(wid)/members/\(a.memberID)/edit", body: "csrf_token=\(token)&role=client&accessUntil=",
                headers: owner.browser(form: true))
            #expect(cleared.headers[.location]?.contains("notice=") == true)
            #expect(try await MembershipModel.find(try parseID(a.memberID), on: app.db)?.accessUntil == nil)
            let past = try await app.client.send(
                .post, "/w/\(wid)/members/\(b.memberID)/edit", body: "csrf_token=\(token)&role=client&accessUntil=2001-01-01",
                headers: owner.browser(form: true))
            #expect(past.headers[.location]?.contains("error=") == true)
            #expect(try await MembershipModel.find(try parseID(b.memberID), on: app.db)?.accessUntil != nil)

            // Past the end the page says so until the sweeper removes them.
            app.clock.advance(by: 11 * 86_400)
            let later = try await app.client.send(.get, "/w/\(wid)/users", headers: owner.browser()).text
            #expect(later.contains(#"<span class="badge off">ended</span>"#))
        }
    }

    @Test func aCSVIsPreviewedOnItsPageThenSentAndTheUsersPageLinksBoth() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let users = try await app.client.send(.get, "/w/\(wid)/users", headers: owner.browser()).text
            #expect(users.contains("/api/v1/workspaces/\(wid)/members.csv") && users.contains("/w/\(wid)/users/import"))
            let page = try await app.client.send(.get, "/w/\(wid)/users/import", headers: owner.browser())
            #expect(page.status == .ok)
            let token = try csrfToken(in: page.text)
            func form(_ csv: String) -> String {
                "csrf_token=\(token)&csv=" + (csv.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            }

            let bad = "email,role\nana@x.test,client\nnot-an-email,client\n"
            let refused = try await app.client.send(.post, "/w/\(wid)/users/import/preview", body: form(bad), headers: owner.browser(form: true)).text
            #expect(refused.contains("1 to invite · 1 invalid"))
            #expect(refused.contains(#"data-testid="import-row-3" class="invalid""#))
            #expect(refused.contains("data-testid=\"import-blocked\"") && !refused.contains("data-testid=\"import-send\""))
            let header = try await app.client.send(.post, "/w/\(wid)/users/import/preview", body: form("mail\nx"), headers: owner.browser(form: true)).text
            #expect(header.contains("data-testid=\"page-error\"") && header.contains("unknown column"))

            // Sent without a clean preview, many bad rows come back as one short line.
            let many = "email,role\n" + (1...5).map { "bad\($0),client\n" }.joined()
            let blocked = try await app.client.send(.post, "/w/\(wid)/users/import", body: form(many), headers: owner.browser(form: true))
            #expect(blocked.headers[.location]?.contains("5%20problems%20since%20the%20preview") == true, "\(blocked.headers[.location] ?? "")")

            let good = "email,role\nana@x.test,client\nbo@x.test,editor\n"
            let preview = try await app.client.send(.post, "/w/\(wid)/users/import/preview", body: form(good), headers: owner.browser(form: true)).text
            #expect(preview.contains("Send 2 invitations"))
            #expect(try await InvitationModel.query(on: app.db).count() == 0)
            let sent = try await app.client.send(.post, "/w/\(wid)/users/import", body: form(good), headers: owner.browser(form: true))
            #expect(sent.headers[.location]?.contains("notice=Sent%202%20invitations") == true, "\(sent.headers[.location] ?? "")")
            #expect(try await InvitationModel.query(on: app.db).count() == 2)
        }
    }

    @Test func acceptPageSignsUpAndJoinsInOneStep() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace("Acme", as: owner)
            _ = try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": "new@example.com", "role": "client"])
            let token = try await app.invitationToken(for: "new@example.com")
            let page = try await app.client.send(.get, "/invitations/accept?token=\(token)", headers: [.accept: "text/html"])
            #expect(page.status == .ok)
            #expect(page.text.contains("Join Acme"))
            #expect(try await MembershipModel.query(on: app.db).count() == 1, "opening the page joins nobody")
            let joined = try await app.client.send(
                .post, "/invitations/accept", body: "token=\(token)&mode=signup&name=Newt&password=a+long+password", headers: formHeaders)
            #expect(joined.status == .found)
            #expect(joined.headers[.location]?.hasPrefix("/w/\(wid)") == true)
            #expect(joined.sessionCookie != nil)
            #expect(try await MembershipModel.query(on: app.db).count() == 2)
            let dead = try await app.client.send(.get, "/invitations/accept?token=\(token)", headers: [.accept: "text/html"])
            #expect(dead.status == .gone)
        }
    }
}
