import FluentKit
import FluentSQL
import Synchronization

/// Lets this process's locking SQLite transactions begin one at a time, in
/// arrival order. SQLite has one write lock per database; two of this process's
/// connections asking for it at once meant one of them sleeping in SQLite's
/// busy handler (1, 2, 5, 10 … ms between tries) while the lock was long free
/// again. Waiting here costs no connection and wakes the next writer the moment
/// the previous one commits. Other processes (a `crew` command) still meet
/// these writers in the busy handler. PostgreSQL is not queued: its row locks
/// already wait without sleeping.
///
/// One queue per process, not per database file: a process serves one
/// database; tests, which open many, only wait a little longer.
public final class SQLiteWriterQueue: Sendable {
    public static let shared = SQLiteWriterQueue()

    private struct State {
        var busy = false
        /// In arrival order; as long as the number of concurrent writers.
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Runs `body` (which begins and ends a transaction on `db`) as this
    /// process's only SQLite writer. Nested use inside a transaction runs at once:
    /// the outer transaction already holds the turn.
    func serialize<T: Sendable>(_ db: any Database, _ body: () async throws -> T) async throws -> T {
        guard !db.inTransaction, (db as? any SQLDatabase)?.dialect.name == "sqlite" else { return try await body() }
        await enter()
        do {
            let result = try await body()
            leave()
            return result
        } catch {
            leave()
            throw error
        }
    }

    private func enter() async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.busy {
                    state.waiting.append(turn)
                    return false
                }
                state.busy = true
                return true
            }
            if now { turn.resume() }
        }
    }

    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            // The turn passes straight to the next writer; `busy` stays set.
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
