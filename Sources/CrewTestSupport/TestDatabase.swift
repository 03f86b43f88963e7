import CrewCore
import CrewStore
import Foundation
import Logging

/// Chooses the database for a test run: a fresh SQLite database per test, or,
/// when `CREW_TEST_POSTGRES_URL` is set, a fresh schema per test in that PostgreSQL.
public enum TestDatabase {
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CREW_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The engine this run tests, for test names and conditional expectations.
    public static var isPostgres: Bool { postgresURL != nil }

    /// A database nobody else uses, and a closure that removes it.
    public static func make(logger: Logger) async throws -> (DatabaseLocation, @Sendable () async -> Void) {
        guard let url = postgresURL else {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("crew-test-\(UUID().uuidString).sqlite").path
            return (.sqliteFile(path: path), {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            })
        }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await onAdminConnection(url, logger: logger) { sql in
            try await sql.raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
        }
        return (.postgres(url: url, schema: String(schema)), {
            try? await onAdminConnection(url, logger: logger) { sql in
                try await sql.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run()
            }
        })
    }

    private static func onAdminConnection(_ url: String, logger: Logger, _ body: @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let service = try DatabaseService(location: .postgres(url: url, schema: nil), poolSize: 1, logger: logger)
        do {
            try await body(service.database() as! any SQLDatabase)
            await service.shutdown()
        } catch {
            await service.shutdown()
            throw error
        }
    }
}
