import FluentKit
import FluentSQL
import Foundation

/// Serialises every check-then-write on one workspace (seats, link uses, the
/// owner) across requests and processes. Must be the first statement of a
/// transaction.
///
/// PostgreSQL locks the workspace row (`SELECT … FOR UPDATE`). SQLite has no row
/// locks, so the transaction writes first: the no-op update takes the database's
/// write lock before anything is read, which is what `BEGIN IMMEDIATE` would do,
/// and later writers wait in the busy handler instead of failing on a stale snapshot.
public enum WorkspaceLock {
    /// How long a SQLite writer waits for the lock before the request fails.
    public static let sqliteBusyTimeoutMilliseconds = 10_000

    public static func acquire(_ workspaceID: UUID, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT id FROM workspaces WHERE id = \(bind: workspaceID) FOR UPDATE").run()
        } else {
            // The driver's own busy handler spins; a timeout makes waiting writers
            // sleep instead, and gives up (503) rather than wait forever.
            try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(sqliteBusyTimeoutMilliseconds))").run()
            try await sql.raw("UPDATE workspaces SET plan = plan WHERE id = \(bind: workspaceID)").run()
        }
    }
}

/// For transactions that read and then write outside any workspace (sign-up):
/// on SQLite, take the write lock first so a concurrent writer (a request, the
/// mail worker) makes this transaction wait instead of failing on a stale
/// snapshot. PostgreSQL needs nothing here. Must be the first statement.
public enum WriteLock {
    public static func acquire(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name != "postgresql" else { return }
        try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(WorkspaceLock.sqliteBusyTimeoutMilliseconds))").run()
        // The key-check row always exists once the process has started.
        try await sql.raw("UPDATE key_check SET sealed = sealed").run()
    }
}
