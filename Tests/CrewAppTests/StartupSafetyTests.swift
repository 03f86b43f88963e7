import CrewApp
import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import FluentSQL
import Foundation
import Logging
import Testing

/// A process that would corrupt the database is refused at start-up with one line.
@Suite struct StartupSafetyTests {
    func components(_ app: TestApp, key: String) async throws -> CrewComponents {
        var configuration = app.components.configuration
        configuration.secretKey = key
        return try await buildComponents(configuration, logger: app.logs.logger())
    }

    @Test func aProcessWithAnotherKeyIsRefused() async throws {
        try await TestApp.run { app in
            // The test app has already migrated and written the key check.
            #expect(try await KeyCheckModel.query(on: app.db).count() == 1)
            let same = try await components(app, key: String(repeating: "ab", count: 32))
            try await prepareDatabase(same)
            await same.services.database.shutdown()

            let other = try await components(app, key: String(repeating: "cd", count: 32))
            do {
                try await prepareDatabase(other)
                Issue.record("a different key must be refused")
            } catch let error as ConfigurationError {
                #expect(error.setting == "CREW_SECRET_KEY")
                #expect(error.description == "configuration error: CREW_SECRET_KEY: does not match the key this database was sealed with; every process must use the same key")
            }
            await other.services.database.shutdown()
            #expect(try await KeyCheckModel.query(on: app.db).count() == 1, "nothing was written")
        }
    }

    @Test func aDatabaseOfANewerSchemaIsRefused() async throws {
        try await TestApp.run { app in
            let sql = app.db as! any SQLDatabase
            try await sql.insert(into: "_fluent_migrations")
                .columns("id", "name", "batch", "created_at", "updated_at")
                .values(SQLBind(UUID()), SQLBind("0099_from_the_future"), SQLBind(99), SQLBind(Date()), SQLBind(Date()))
                .run()
            let again = try await components(app, key: String(repeating: "ab", count: 32))
            do {
                try await prepareDatabase(again)
                Issue.record("a newer schema must be refused")
            } catch let error as ConfigurationError {
                #expect(error.setting == "CREW_DATABASE_URL")
                #expect(error.message.contains("0099_from_the_future"))
            }
            await again.services.database.shutdown()
        }
    }

    @Test func processesStartingTogetherMigrateOneAtATime() async throws {
        try await TestApp.run { app in
            // Three more processes on the same (already migrated) database start at once.
            let started = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let process = try await components(app, key: String(repeating: "ab", count: 32))
                        try await prepareDatabase(process)
                        await process.services.database.shutdown()
                        return 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(started == 3)
            let sql = app.db as! any SQLDatabase
            let names = try await sql.select().column("name").from("_fluent_migrations").all().map { try $0.decode(column: "name", as: String.self) }
            #expect(names.count == Set(names).count, "no migration ran twice")
            #expect(names.count == CrewMigrations.all.count)
        }
    }
}
