import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// CSV in and out: the members export shows what the caller may see; an
/// import of invitations is previewed row by row (changing nothing) and then
/// sent all or nothing.
@Suite struct MemberCSVTests {
    static let csv: HTTPFields = [.contentType: "text/csv"]

    static func preview(_ app: TestApp, _ wid: String, _ text: String, as user: TestUser) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations/import/preview", token: user.token, body: text, headers: csv)
    }

    static func importFile(_ app: TestApp, _ wid: String, _ text: String, as user: TestUser) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations/import", token: user.token, body: text, headers: csv)
    }

    static func rows(_ response: TestResponse) -> [[String: Any]] {
        response.object["rows"] as? [[String: Any]] ?? []
    }

    /// What would change if an import went wrong: invitations, mails, audit rows.
    static func footprint(_ app: TestApp) async throws -> [Int] {
        [
            try await InvitationModel.query(on: app.db).count(), try await OutboxMessageModel.query(on: app.db).count(),
            try await AuditEventModel.query(on: app.db).count(),
        ]
    }

    // MARK: Export

    @Test func theExportHoldsWhatTheCallerSeesAndNoMore() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let acme = try await app.addAccount("Acme", to: wid)
            let other = try await app.addAccount("Other", to: wid)
            let manager = try await app.addMember("Mona", to: wid, role: .manager, accounts: [acme])
            let cleo = try await app.addMember("=HYPERLINK(\"http://evil.test\")", to: wid, role: .client, permissions: [.approvePosts], accounts: [acme])
            let dora = try await app.addMember("Dora", to: wid, role: .client, accounts: [other])

            let full = try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members.csv", token: owner.token)
            #expect(full.status == .ok)
            #expect(full.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(full.headers[.contentDisposition]?.contains("attachment; filename=\"crew-members-") == true)
            let records = try CSV.parse(full.text, maxRows: 100)
            #expect(records.first?.cells == MemberService.exportColumns)
            #expect(records.count == 5)
            #expect(records.map { $0.cells[1] }.contains(dora.user.email))
            // A name that is a formula arrives as text, not as a formula.
            let cleoRow = try #require(records.first { $0.cells[1] == cleo.user.email })
            #expect(cleoRow.cells[0].hasPrefix("'="))
            #expect(cleoRow.cells[2] == "client" && cleoRow.cells[3] == "approve_posts" && cleoRow.cells[5] == acme)

            // The manager sees the team and the clients of their accounts: not Dora.
            let managers = try CSV.parse(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members.csv", token: manager.user.token).text, maxRows: 100)
            #expect(Set(managers.dropFirst().map { $0.cells[1] }) == [owner.email, manager.user.email, cleo.user.email])

            // A client sees themselves and the team on their accounts, without emails, never Dora.
            let clients = try CSV.parse(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members.csv", token: cleo.user.token).text, maxRows: 100)
            #expect(clients.count == 4)
            #expect(!clients.contains { $0.cells.contains(dora.user.email) || $0.cells[0] == "Dora" })
            let others = clients.dropFirst().filter { $0.cells[2] != "client" }
            #expect(others.count == 2 && others.allSatisfy { $0.cells[1].isEmpty && $0.cells[3...].allSatisfy(\.isEmpty) })
            #expect(clients.contains { $0.cells[1] == cleo.user.email })

            // Not a member: as for any other workspace route.
            let stranger = try await app.signup("Sam")
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(wid)/members.csv", token: stranger.token).status == .notFound)
        }
    }

    @Test func theExportReadsEveryPageInJoinOrder() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            var names = ["Olga"]
            for n in 1...4 { names.append(try await app.addMember("Member \(n)", to: wid, role: .editor).user.name) }
            let access = try await app.services.workspaces.access(
                userID: try parseID(owner.id), workspaceID: try parseID(wid), actor: .commandLine, on: app.db)
            var chunks: [String] = []
            try await app.services.members.exportCSV(access, pageSize: 2, on: app.db) { chunks.append($0) }
            // The header, then pages of 2, 2 and 1.
            #expect(chunks.count == 4)
            #expect(try CSV.parse(chunks.joined(), maxRows: 10).dropFirst().map { $0.cells[0] } == names)
        }
    }

    // MARK: Import

    @Test func thePreviewNamesWhatHappensToEachRowAndChangesNothing() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let account = try await app.addAccount("Acme", to: wid)
            let member = try await app.addMember("Mia", to: wid, role: .client)
            _ = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["email": "pending@x.test", "role": "client"])
            let before = try await Self.footprint(app)
            let file = """
                email,role,permissions,allowedPlatforms,accountIds,accessUntil
                new@x.test,client,approve_posts view_analytics,mastodon,\(account),2099-01-31
                \(member.user.email.uppercased()),client,,,,
                pending@x.test,editor,,,,
                NEW@x.test,client,,,,
                not-an-email,client,,,,
                bad@x.test,owner,,,,
                bad2@x.test,editor,publish_posts,,\(UUID().uuidString),2001-01-01
                team@x.test,Editor,view_analytics,,,
                """
            let preview = try await Self.preview(app, wid, file, as: owner)
            #expect(preview.status == .ok, "\(preview.text)")
            let rows = Self.rows(preview)
            #expect(rows.map { $0["row"] as? Int } == [2, 3, 4, 5, 6, 7, 8, 9])
            #expect(rows.map { $0["status"] as? String } == ["new", "member", "pending", "duplicate", "invalid", "invalid", "invalid", "new"])
            let fields = rows.map { ($0["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
            #expect(fields[4] == ["rows[6].email"])
            #expect(fields[5] == ["rows[7].role"])
            #expect(Set(fields[6]) == ["rows[8].permissions", "rows[8].accessUntil", "rows[8].accountIds"])
            let counts = try #require(preview.object["counts"] as? [String: Int])
            #expect(counts["new"] == 2 && counts["member"] == 1 && counts["pending"] == 1 && counts["duplicate"] == 1 && counts["invalid"] == 3)
            // The editor takes a seat; the client without publish_posts does not.
            #expect(rows.compactMap { $0["countsAsSeat"] as? Bool } == [false, false, false, false, false, false, false, true])
            let seats = try #require(preview.object["seats"] as? [String: Any])
            #expect((seats["after"] as? [String: Any])?["used"] as? Int == ((seats["before"] as? [String: Any])?["used"] as? Int ?? -9) + 1)
            #expect(try await Self.footprint(app) == before)

            // The import itself refuses the file while a row is invalid, naming every one.
            let refused = try await Self.importFile(app, wid, file, as: owner)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.problem?.code == "validation_failed")
            #expect(Set(refused.problem?.errors?.map(\.field) ?? []) == Set(fields.flatMap { $0 }))
            #expect(try await Self.footprint(app) == before)
        }
    }

    @Test func anImportInvitesTheNewRowsAtOnceWithTheirAccess() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let member = try await app.addMember("Mia", to: wid, role: .client)
            let file = "Email;Role;Permissions;accessUntil\r\nana@x.test;client;approve_posts,view_analytics;2099-01-31\r\n"
                + "\(member.user.email);client;;\r\n" + "ed@x.test;editor;;2099-12-31T12:00:00Z\r\n"
                + "\"cli@x.test\";client;;\r\n"
            let done = try await Self.importFile(app, wid, file, as: owner)
            #expect(done.status == .created, "\(done.text)")
            #expect(Self.rows(done).map { $0["status"] as? String } == ["invited", "member", "invited", "invited"])
            #expect((done.object["counts"] as? [String: Int])?["invited"] == 3)
            let ana = try #require(try await InvitationModel.query(on: app.db).filter(\.$email == "ana@x.test").first())
            #expect(ana.permissions == [.approvePosts, .viewAnalytics])
            #expect(AccessEndField.dayText(ana.accessUntil) == "2099-01-31")
            #expect(Self.rows(done).first?["invitationId"] as? String == ana.id?.apiString)
            #expect(try await InvitationModel.query(on: app.db).filter(\.$email == "ed@x.test").first()?.countsAsSeat == true)
            // One mail each, whose link accepts the invitation with the imported access.
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$kind == "invitation").count() == 3)
            let sent = try await AuditEventModel.query(on: app.db).filter(\.$action == "invitation.sent").all()
            #expect(sent.count == 3 && Set(sent.map(\.batchID)).count == 1 && sent.first?.batchID != nil)
            let person = try await app.signup("Ana", email: "ana@x.test")
            let accepted = try await app.client.send(
                .post, "/api/v1/invitations/accept", token: person.token, json: ["token": try await app.invitationToken(for: "ana@x.test")])
            #expect(accepted.status == .created)
            #expect(accepted.object["permissions"] as? [String] == ["approve_posts", "view_analytics"])

            // The same file again: everyone is a member or invited already.
            let again = try await Self.importFile(app, wid, file, as: owner)
            #expect(again.status == .created)
            #expect(Self.rows(again).map { $0["status"] as? String } == ["member", "member", "pending", "pending"])
            #expect(try await InvitationModel.query(on: app.db).count() == 3)
        }
    }

    @Test func aWrongFileIsRefusedAsAWholeWithTheReason() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let before = try await Self.footprint(app)
            func refusal(_ text: String) async throws -> (Int, String?, String?) {
                let answer = try await Self.preview(app, wid, text, as: owner)
                let sent = try await Self.importFile(app, wid, text, as: owner)
                #expect(sent.status == answer.status)
                return (Int(answer.status.code), answer.problem?.errors?.first?.field, answer.problem?.errors?.first?.message)
            }
            #expect(try await refusal("mail,role\na@x.test,client").1 == "header")
            #expect(try await refusal("email,permissions\na@x.test,").2?.contains("email and role") == true)
            #expect(try await refusal("email,role,email\na@x.test,client,b@x.test").2?.contains("twice") == true)
            #expect(try await refusal("").1 == "csv")
            #expect(try await refusal("email,role\n").2?.contains("no rows") == true)
            let tooMany = "email,role\n" + (0...InvitationImportFile.maxRows).map { "p\($0)@x.test,client\n" }.joined()
            let (status, field, message) = try await refusal(tooMany)
            #expect(status == 422 && field == "csv" && message?.contains("more than") == true)
            // As JSON, for clients that only send JSON; other media types are refused.
            let json = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/invitations/import/preview", token: owner.token, json: ["csv": "email,role\na@x.test,client"])
            #expect(json.status == .ok)
            let plain = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/invitations/import/preview", token: owner.token, body: "email,role", headers: [.contentType: "text/plain"])
            #expect(plain.status == .unsupportedMediaType)
            #expect(try await Self.footprint(app) == before)
        }
    }

    @Test func tenThousandRowsArePreviewedAndOneMoreIsNot() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let file = "email,role\n" + (1...InvitationImportFile.maxRows).map { "p\($0)@x.test,client\n" }.joined()
            let preview = try await Self.preview(app, wid, file, as: owner)
            #expect(preview.status == .ok)
            #expect((preview.object["counts"] as? [String: Int])?["new"] == InvitationImportFile.maxRows)
            #expect(Self.rows(preview).last?["row"] as? Int == InvitationImportFile.maxRows + 1)
        }
    }

    @Test func seatsAreCheckedForTheWholeFileAndOnlyInvitersMayImport() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)
            let client = try await app.addMember("Cleo", to: wid, role: .client)
            let file = "email,role\na@x.test,editor\nb@x.test,editor\nc@x.test,editor\nd@x.test,client\n"
            let preview = try await Self.preview(app, wid, file, as: owner)
            let seats = try #require(preview.object["seats"] as? [String: Any])
            #expect(seats["fits"] as? Bool == false)
            let before = try await InvitationModel.query(on: app.db).count()
            let refused = try await Self.importFile(app, wid, file, as: owner)
            #expect(refused.status == .conflict)
            #expect(refused.problem?.code == "seat_limit_reached")
            #expect(try await InvitationModel.query(on: app.db).count() == before)
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "seat.refused").count() == 1)

            let denied = try await Self.importFile(app, wid, "email,role\nz@x.test,client\n", as: client.user)
            #expect(denied.status == .forbidden)
            #expect(try await Self.preview(app, wid, "email,role\nz@x.test,client\n", as: client.user).status == .forbidden)
        }
    }

    @Test func concurrentImportsShareTheSeatsAndNeverInviteAPersonTwice() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            // small_team: 2 seats; each file wants both.
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)
            let files = (0..<4).map { n in "email,role\nfirst\(n)@x.test,editor\nsecond\(n)@x.test,editor\nsame@x.test,client\n" }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for file in files { group.addTask { try await Self.importFile(app, wid, file, as: owner).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 3, "\(statuses)")
            #expect(try await InvitationModel.query(on: app.db).filter(\.$countsAsSeat == true).count() == 2)
            #expect(try await InvitationModel.query(on: app.db).filter(\.$email == "same@x.test").count() == 1)

            // Seat-free rows only: every import succeeds, and one of them invites the person.
            let clientsOnly = (0..<4).map { _ in "email,role\nshared@x.test,client\n" }
            let invited = try await withThrowingTaskGroup(of: Int.self) { group in
                for file in clientsOnly {
                    group.addTask { (try await Self.importFile(app, wid, file, as: owner).object["counts"] as? [String: Int])?["invited"] ?? -1 }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(invited.sorted() == [0, 0, 0, 1])
            #expect(try await InvitationModel.query(on: app.db).filter(\.$email == "shared@x.test").count() == 1)
        }
    }
}
