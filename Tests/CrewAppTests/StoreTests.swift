import CrewCore
import CrewStore
import CrewTestSupport
import Foundation
import Testing

@Suite struct StoreTests {
    @Test func migrationsAreIdempotent() async throws {
        try await TestApp.run { app in
            try await app.services.database.migrate()
            try await app.services.database.migrate()
            #expect(try await UserModel.query(on: app.db).count() == 0)
        }
    }

    @Test func foreignKeysAreEnforced() async throws {
        try await TestApp.run { app in
            let orphan = MembershipModel(workspaceID: UUID(), userID: UUID(), role: .owner, joinedVia: "owner", joinedAt: Date())
            await #expect(throws: (any Error).self) { try await orphan.create(on: app.db) }
        }
    }

    @Test func emailsAreUniqueInTheDatabaseToo() async throws {
        try await TestApp.run { app in
            try await UserModel(email: "a@b.co", name: "A", passwordHash: "x", createdAt: Date()).create(on: app.db)
            await #expect(throws: (any Error).self) {
                try await UserModel(email: "a@b.co", name: "B", passwordHash: "y", createdAt: Date()).create(on: app.db)
            }
        }
    }

    @Test(.enabled(if: !TestDatabase.isPostgres))
    func sqliteFilesUseWriteAheadLogging() async throws {
        try await TestApp.run { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let row = try await sql.raw("PRAGMA journal_mode").first()
            #expect(try row?.decode(column: "journal_mode", as: String.self) == "wal")
        }
    }

    /// Times from the live clock come back from the database bit for bit, so a
    /// keyset cursor made from a row finds that row again: paging the members of
    /// a workspace whose join times carry every sub-millisecond digit the system
    /// clock gives shows each member exactly once.
    @Test func keysetPagesOverLiveClockTimesShowEveryMemberOnce() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(plan: "agency_plus", as: owner)
            let workspaceID = try #require(UUID(uuidString: wid))
            var expected: Set<String> = []
            for n in 0..<157 {
                let user = UserModel(email: "m\(n)@example.com", name: "M \(n)", passwordHash: "x", createdAt: Date())
                try await user.create(on: app.db)
                // Raw system times, about three per millisecond, as the app stores them.
                let joined = Date(timeIntervalSince1970: 1_795_000_000 + Double(n / 3) * 0.0007 + Double.random(in: 0..<0.0001))
                let member = MembershipModel(
                    workspaceID: workspaceID, userID: user.id!, role: .client, joinedVia: "link", joinedAt: joined.wholeMilliseconds)
                try await member.create(on: app.db)
                expected.insert(member.id!.apiString)
                let stored = try #require(try await MembershipModel.find(member.id, on: app.db))
                #expect(stored.joinedAt == member.joinedAt, "read back bit for bit")
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await app.client.send(
                    .get, "/api/v1/workspaces/\(wid)/members?role=client&limit=20" + (cursor.map { "&cursor=\($0)" } ?? ""), token: owner.token)
                let items = try #require(page.object["items"] as? [[String: Any]])
                seen += items.compactMap { $0["id"] as? String }
                cursor = page.object["nextCursor"] as? String
            } while cursor != nil
            #expect(seen.count == expected.count, "no member twice")
            #expect(Set(seen) == expected)
        }
    }
}

