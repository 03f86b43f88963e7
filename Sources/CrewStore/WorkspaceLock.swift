import FluentKit
import FluentSQL
import Foundation

/// Serialises every check-then-write on one workspace (seats, link uses, the
/// owner) across requests and processes.
///
/// PostgreSQL locks the workspace row (`SELECT … FOR UPDATE`). SQLite has no row
/// locks, so the transaction writes first: the no-op update takes the database's
/// write lock before anything is read, which is what `BEGIN IMMEDIATE` would do,
/// and writers of other processes wait in the busy handler instead of failing on
/// a stale snapshot. Writers of this process go through `SQLiteWriterQueue`,
/// which runs them one after another and commits them in batches.
public enum WorkspaceLock {
    /// How long a SQLite writer waits for the lock before the request fails.
    public static let sqliteBusyTimeoutMilliseconds = 10_000

    static func acquire(_ workspaceID: UUID, on db: any Database) async throws {
        _ = try await lockPlan(workspaceID, exclusive: true, on: db)
    }
}

extension WorkspaceLock {
    /// Locks the workspace for a transaction begun with `lockingTransaction`
    /// (its first statement) and returns the plan.
    /// - Parameter exclusive: on PostgreSQL, `FOR UPDATE` (one at a time, as
    ///   seat counts need) or `FOR SHARE` (many at once; changes to the
    ///   workspace itself, such as its plan, wait for all of them). SQLite's
    ///   no-op update takes the database's write lock either way.
    public static func lockPlan(_ workspaceID: UUID, exclusive: Bool, on db: any Database) async throws -> String? {
        let row = try await exclusive ? db.first(LockAlone(workspaceID: workspaceID)) : db.first(LockShared(workspaceID: workspaceID))
        return try row?.decode(column: "plan", as: String.self)
    }

    /// SQLite's lock for both: the no-op update.
    private static let sqliteLock = "UPDATE workspaces SET plan = plan WHERE id = $1 RETURNING plan"

    private struct LockAlone: PreparedStatement {
        static let sql = "SELECT plan FROM workspaces WHERE id = $1 FOR UPDATE"
        static let sqliteSQL = WorkspaceLock.sqliteLock
        let workspaceID: UUID
        var values: [any PreparedValue] { [workspaceID] }
    }

    private struct LockShared: PreparedStatement {
        static let sql = "SELECT plan FROM workspaces WHERE id = $1 FOR SHARE"
        static let sqliteSQL = WorkspaceLock.sqliteLock
        let workspaceID: UUID
        var values: [any PreparedValue] { [workspaceID] }
    }
}

/// For transactions that read and then write outside any workspace (sign-up):
/// on SQLite, take the write lock first so a concurrent writer (a request, the
/// mail worker) makes this transaction wait instead of failing on a stale
/// snapshot. PostgreSQL needs nothing here.
enum WriteLock {
    static func acquire(on db: any Database) async throws {
        guard !db.isPostgres else { return }
        let sql = db as! any SQLDatabase
        // The key-check row always exists once the process has started.
        try await sql.raw("UPDATE key_check SET sealed = sealed").run()
    }
}

extension Database {
    /// A transaction holding the workspace lock from its first statement.
    public func workspaceTransaction<T: Sendable>(
        _ workspaceID: UUID, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        try await SQLiteWriterQueue.transaction(on: self) { tx in
            try await WorkspaceLock.acquire(workspaceID, on: tx)
            return try await body(tx)
        }
    }

    /// A transaction that orders its own statements to hold locks briefly (link
    /// joins): this process's SQLite writers still take turns, and the body
    /// must begin with `WorkspaceLock.lockPlan`.
    public func lockingTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await SQLiteWriterQueue.transaction(on: self, body)
    }

    /// A transaction that reads and then writes outside any workspace (sign-up):
    /// on SQLite it holds the database's write lock from its first statement.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await SQLiteWriterQueue.transaction(on: self) { tx in
            try await WriteLock.acquire(on: tx)
            return try await body(tx)
        }
    }
}
