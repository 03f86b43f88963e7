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
}
