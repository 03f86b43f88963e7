import FluentKit
import FluentSQL
import FluentPostgresDriver
import NIOPosix
import Foundation

/// Serialises migrations between processes that start at the same moment.
enum MigrationLock {
    /// An arbitrary constant naming Crew's migration lock among advisory locks.
    static let advisoryKey: Int64 = 0x6372_6577_6d69_6772  // "crewmigr"

    static func holding(_ location: DatabaseLocation, on db: any Database, _ body: @escaping @Sendable () async throws -> Void) async throws {
        switch location {
        case .postgres(let url, _):
            // A session-level lock on a connection of its own, outside the pool,
            // so the migrator can use the pool even when it holds one connection.
            let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 0, logger: db.logger)
            do {
                _ = try await connection.query("SELECT pg_advisory_lock(\(advisoryKey))", logger: db.logger)
                try await body()
                _ = try await connection.query("SELECT pg_advisory_unlock(\(advisoryKey))", logger: db.logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
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
