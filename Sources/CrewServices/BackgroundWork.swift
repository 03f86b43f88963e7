import CrewStore
import FluentSQL
import Foundation
import Logging
import ServiceLifecycle

/// Claiming background work in one statement: a batch of due rows is
/// reserved by pushing a time column past a lease. No read-then-write
/// transaction that SQLite could refuse as busy; on PostgreSQL, rows another
/// process is claiming are skipped (`FOR UPDATE SKIP LOCKED`), so several
/// processes share the work and never take the same row.
enum WorkClaim {
    /// - Parameter orderBy: the columns that say which rows go first; the last
    ///   must be unique (`seq`, `id`), so rows due at the same time are taken
    ///   in one defined order rather than the order the database happens to return.
    static func claim(
        _ schema: String, pushing column: String, to until: Date, where condition: SQLQueryString, orderBy: [String], limit: Int,
        on db: any Database
    ) async throws -> [UUID] {
        let sql = db as! any SQLDatabase
        let skipLocked = db.isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw(
            """
            UPDATE \(ident: schema) SET \(ident: column) = \(bind: until)
            WHERE id IN (SELECT id FROM \(ident: schema) WHERE \(condition)
                ORDER BY \(idents: orderBy, joinedBy: ", ") LIMIT \(literal: limit)\(unsafeRaw: skipLocked))
            RETURNING id
            """
        ).all()
        return try rows.map { try $0.decode(column: "id", as: UUID.self) }
    }
}

/// The loop every background worker runs: wait until the database is ready,
/// then one round per `interval` until shutdown; a failed round is logged and
/// the next one tries again. Graceful shutdown ends a wait at once.
struct BackgroundLoop: Sendable {
    let database: DatabaseService
    let interval: Duration
    let logger: Logger
    let name: String

    /// - Parameter round: one round of work; `true` when more is waiting right away.
    func run(_ round: @Sendable () async throws -> Bool) async throws {
        await database.waitUntilReady()
        while !Task.isCancelledOrShuttingDown {
            do {
                if try await round() { continue }
            } catch {
                logger.warning("\(name) round failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the surrounding task was cancelled or the service group is shutting down.
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
