import FluentKit
import FluentSQL
import Foundation

/// Serialises migrations between processes that start at the same moment.
enum MigrationLock {
    /// An arbitrary constant naming Crew's migration lock among advisory locks.
    static let advisoryKey: Int64 = 0x6372_6577_6d69_6772  // "crewmigr"

    static func holding(_ location: DatabaseLocation, on db: any Database, _ body: @escaping @Sendable () async throws -> Void) async throws {
        switch location {
        case .postgres:
            // Session-level lock: taken and released on one connection, which
            // stays checked out while the migrator works on others.
            try await db.withConnection { connection in
                let sql = connection as! any SQLDatabase
                try await sql.raw("SELECT pg_advisory_lock(\(bind: advisoryKey))").run()
                do {
                    try await body()
                } catch {
                    try? await sql.raw("SELECT pg_advisory_unlock(\(bind: advisoryKey))").run()
                    throw error
                }
                try await sql.raw("SELECT pg_advisory_unlock(\(bind: advisoryKey))").run()
            }
        case .sqliteFile(let path):
            let descriptor = open(path + ".migrate-lock", O_CREAT | O_RDWR, 0o600)
            guard descriptor >= 0 else { return try await body() }
            defer { close(descriptor) }
            // Waits (without blocking a thread) until another process finishes
            // migrating the same file.
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            do {
                try await body()
            } catch {
                flock(descriptor, LOCK_UN)
                throw error
            }
            flock(descriptor, LOCK_UN)
        case .sqliteMemory:
            try await body()
        }
    }
}
