import CrewCore
import CrewStore
import CrewTestSupport
import FluentSQL
import Foundation
import HTTPTypes
import Testing

@testable import CrewServices

/// The members page is read from the database once per members-list version
/// (run on SQLite and on PostgreSQL). Each test reads the page through the
/// process's cache and again through an empty one, after every kind of change
/// the page shows, made through the API and by hand in SQL.
@Suite struct MemberPageCacheTests {
    /// The first page as the process serves it (its cache) and as the database
    /// has it now (a cache of its own, empty).
    struct Reading {
        let app: TestApp
        let workspaceID: String
        let owner: TestUser

        func access(_ env: CrewEnvironment) async throws -> WorkspaceAccess {
            try await WorkspaceService(env: env).access(
                userID: try parseID(owner.id), workspaceID: try parseID(workspaceID), actor: Actor(userID: nil, name: "test", ip: nil),
                on: app.db)
        }

        func page(search: String? = nil, fresh: Bool = false) async throws -> [MemberView] {
            var env = app.services.env
            if fresh { env.memberPages = MemberPageCache() }
            return try await MemberService(env: env).list(
                try await access(env), role: nil, search: search, limit: try PageSize("200"), cursor: nil, on: app.db
            ).items
        }

        /// The cached page equals the database's, and returns it.
        @discardableResult
        func agrees(_ comment: Comment, search: String? = nil) async throws -> [MemberView] {
            let served = try await page(search: search)
            let stored = try await page(search: search, fresh: true)
            #expect(served == stored, comment)
            return served
        }

        func version() async throws -> Int {
            let sql = app.db as! any SQLDatabase
            let row = try await sql.raw("SELECT version FROM member_list_versions WHERE workspace_id = \(bind: try parseID(workspaceID))").first()
            return try row?.decode(column: "version", as: Int.self) ?? 0
        }
    }

    func reading(_ app: TestApp) async throws -> Reading {
        let owner = try await app.signup("Olga Owner")
        let wid = try await app.createWorkspace(as: owner)
        return Reading(app: app, workspaceID: wid, owner: owner)
    }

    @Test func aPageIsKeptUntilTheVersionMoves() async throws {
        try await TestApp.run { app in
            let reading = try await reading(app)
            _ = try await app.addMember("Cleo Client", to: reading.workspaceID, role: .client)
            let version = try await reading.version()
            let first = try await reading.agrees("after a member was added")
            let kept = app.services.env.memberPages.count
            #expect(kept == 1)
            // Read again at the same version: nothing new is kept, the same page comes back.
            #expect(try await reading.page() == first)
            #expect(app.services.env.memberPages.count == kept)
            #expect(try await reading.version() == version)
            // Over HTTP too, from the same cache; the body is encoded once and
            // sent again byte for byte, until the version moves.
            let path = "/api/v1/workspaces/\(reading.workspaceID)/members?limit=200"
            let response = try await app.client.send(.get, path, token: reading.owner.token)
            #expect((response.object["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == first.map(\.name))
            #expect(try await app.client.send(.get, path, token: reading.owner.token).text == response.text)
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE users SET name = 'Cleo Renamed' WHERE name = 'Cleo Client'").run()
            let renamed = try await app.client.send(.get, path, token: reading.owner.token)
            #expect((renamed.object["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Olga Owner", "Cleo Renamed"])
            // An access made without the version (as the OAuth callback makes
            // one) reads it before the page.
            var versionless = try await reading.access(app.services.env)
            versionless.membersVersion = nil
            try await sql.raw("UPDATE users SET name = 'Cleo Third' WHERE name = 'Cleo Renamed'").run()
            let third = try await MemberService(env: app.services.env).list(
                versionless, role: nil, search: nil, limit: try PageSize("200"), cursor: nil, on: app.db)
            #expect(third.items.map(\.name) == ["Olga Owner", "Cleo Third"])
        }
    }

    @Test func everyChangeThePageShowsIsServed() async throws {
        try await TestApp.run { app in
            let reading = try await reading(app)
            let wid = reading.workspaceID
            let owner = reading.owner
            let account = try await app.addAccount("Brand", to: wid)
            let member = try await app.addMember("Cleo Client", to: wid, role: .client)
            let editor = try await app.addMember("Ed Editor", to: wid, role: .editor)
            try await reading.agrees("members added by hand")

            // Through the API: role, permissions, platforms and grants.
            var before = try await reading.version()
            let patched = try await app.client.send(
                .patch, "/api/v1/workspaces/\(wid)/members/\(member.memberID)", token: owner.token,
                json: ["permissions": ["view_analytics"], "allowedPlatforms": ["sandbox"], "accountIds": [account]])
            #expect(patched.status == .ok)
            #expect(try await reading.version() > before)
            let afterPatch = try await reading.agrees("after PATCH")
            #expect(afterPatch.first { $0.id == member.memberID }?.accountIds == [account])

            // By hand in SQL, as another process or an operator would.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE users SET name = 'Cleo Renamed' WHERE id = \(bind: try parseID(member.user.id))").run()
            #expect(try await reading.agrees("after a rename").contains { $0.name == "Cleo Renamed" })
            try await sql.raw("UPDATE users SET email = 'cleo.renamed@example.com' WHERE id = \(bind: try parseID(member.user.id))").run()
            #expect(try await reading.agrees("after an email change").contains { $0.email == "cleo.renamed@example.com" })
            try await sql.raw("DELETE FROM account_grants WHERE account_id = \(bind: try parseID(account))").run()
            #expect(try await reading.agrees("after a grant was taken back").allSatisfy { $0.accountIds == [] })
            try await sql.raw("UPDATE memberships SET role = 'manager' WHERE id = \(bind: try parseID(editor.memberID))").run()
            #expect(try await reading.agrees("after a role change in SQL").contains { $0.id == editor.memberID && $0.role == .manager })

            // The search is a page of its own, kept and moved the same way.
            #expect(try await reading.agrees("search", search: "cleo").map(\.name) == ["Cleo Renamed"])
            try await sql.raw("UPDATE users SET name = 'Cleo Again' WHERE id = \(bind: try parseID(member.user.id))").run()
            #expect(try await reading.agrees("search after a rename", search: "cleo").map(\.name) == ["Cleo Again"])

            // Joining through the link, removing one and many.
            let link = try await app.client.send(.patch, "/api/v1/workspaces/\(wid)/client-invite-link", token: owner.token, json: ["permissions": ["approve_posts"]])
            let token = String((link.object["url"] as? String ?? "").split(separator: "/").last ?? "")
            let joiner = try await app.signup("Jo Joiner")
            #expect(try await app.client.send(.post, "/api/v1/join/\(token)", token: joiner.token).status == .created)
            #expect(try await reading.agrees("after a join").contains { $0.name == "Jo Joiner" })
            #expect(try await app.client.send(.delete, "/api/v1/workspaces/\(wid)/members/\(editor.memberID)", token: owner.token).status == .noContent)
            #expect(try await reading.agrees("after a removal").contains { $0.id == editor.memberID } == false)
            before = try await reading.version()
            let bulk = try await app.client.send(
                .post, "/api/v1/workspaces/\(wid)/members/bulk-delete", token: owner.token, json: ["memberIds": [member.memberID]])
            #expect(bulk.status == .ok)
            #expect(try await reading.agrees("after a bulk removal").map(\.name) == ["Olga Owner", "Jo Joiner"])
            #expect(try await reading.version() > before)

            // A change elsewhere, or of what the page does not show, leaves
            // this workspace's version alone.
            let unmoved = try await reading.version()
            try await sql.raw("UPDATE users SET password_hash = 'another' WHERE id = \(bind: try parseID(joiner.id))").run()
            try await sql.raw("UPDATE users SET name = name WHERE id = \(bind: try parseID(joiner.id))").run()
            let other = try await app.createWorkspace("Elsewhere", as: owner)
            _ = try await app.addMember("Far Away", to: other, role: .editor)
            #expect(try await reading.version() == unmoved)
        }
    }

    /// On PostgreSQL a deletion moves the version once per statement: a bulk
    /// removal of many members and their grants is two moves, not one per row.
    @Test func aBulkRemovalMovesTheVersionOncePerStatementOnPostgres() async throws {
        try await TestApp.run { app in
            guard (app.db as! any SQLDatabase).dialect.name == "postgresql" else { return }
            let reading = try await reading(app)
            let account = try await app.addAccount("Brand", to: reading.workspaceID)
            var ids: [String] = []
            for i in 0..<20 { ids.append(try await app.addMember("Client \(i)", to: reading.workspaceID, role: .client, accounts: [account]).memberID) }
            let before = try await reading.version()
            let bulk = try await app.client.send(
                .post, "/api/v1/workspaces/\(reading.workspaceID)/members/bulk-delete", token: reading.owner.token, json: ["memberIds": ids])
            #expect(bulk.status == .ok)
            #expect(try await reading.version() == before + 2)
            #expect(try await reading.agrees("after the bulk removal").count == 1)
        }
    }

    /// Pages read while joins commit are never kept past the change: after
    /// the race, the process serves what the database has.
    @Test func pagesReadDuringConcurrentJoinsAreNotServedStale() async throws {
        try await TestApp.run { app in
            let reading = try await reading(app)
            let link = try await app.client.send(
                .patch, "/api/v1/workspaces/\(reading.workspaceID)/client-invite-link", token: reading.owner.token, json: ["permissions": ["approve_posts"]])
            let token = String((link.object["url"] as? String ?? "").split(separator: "/").last ?? "")
            var joiners: [TestUser] = []
            for i in 0..<24 { joiners.append(try await app.signup("Racer \(i)")) }
            let readsDone = try await withThrowingTaskGroup(of: Int.self) { group in
                for joiner in joiners {
                    group.addTask { Int(try await app.client.send(.post, "/api/v1/join/\(token)", token: joiner.token).status.code) }
                    group.addTask { _ = try await reading.page(); return 0 }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(readsDone.filter { $0 == 201 }.count == 24)
            #expect(try await reading.agrees("after the race").count == 25)
        }
    }

    @Test func theCacheKeepsAtMostItsCapacityNewestFirst() {
        let cache = MemberPageCache(capacity: 3)
        let workspace = UUID()
        func key(_ limit: Int) -> MemberPageCache.Key { .init(workspaceID: workspace, role: nil, pattern: nil, cursor: nil, limit: limit) }
        let page = Page<MemberView>(items: [], nextCursor: "after")
        for limit in 1...5 { cache.store(page, for: key(limit), at: 7) }
        #expect(cache.count == 3)
        #expect(cache.page(for: key(1), at: 7) == nil)
        #expect(cache.page(for: key(2), at: 7) == nil)
        #expect(cache.page(for: key(5), at: 7)?.nextCursor == "after")
        // Another version of a kept key is not served, and an older read does
        // not replace a newer one.
        #expect(cache.page(for: key(5), at: 8) == nil)
        cache.store(Page(items: [], nextCursor: "older"), for: key(5), at: 6)
        #expect(cache.page(for: key(5), at: 7)?.nextCursor == "after")
        cache.store(Page(items: [], nextCursor: "newer"), for: key(5), at: 9)
        #expect(cache.page(for: key(5), at: 9)?.nextCursor == "newer")
        #expect(cache.count == 3)

        let off = MemberPageCache(capacity: 0)
        off.store(page, for: key(1), at: 7)
        #expect(off.count == 0)
        #expect(off.page(for: key(1), at: 7) == nil)
    }

    /// `CREW_MEMBER_PAGE_CACHE=0`: every page from the database, the same pages.
    @Test func withoutTheCacheEveryPageIsReadAnew() async throws {
        try await TestApp.run(environment: ["CREW_MEMBER_PAGE_CACHE": "0"]) { app in
            let reading = try await reading(app)
            _ = try await app.addMember("Cleo Client", to: reading.workspaceID, role: .client)
            #expect(try await reading.agrees("without a cache").map(\.name) == ["Olga Owner", "Cleo Client"])
            #expect(app.services.env.memberPages.count == 0)
        }
    }
}
