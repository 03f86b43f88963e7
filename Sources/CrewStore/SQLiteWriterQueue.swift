import FluentKit
import FluentSQL
import Synchronization

/// Runs this process's locking SQLite transactions one after another, and
/// commits those that queued up meanwhile together.
///
/// SQLite has one write lock per database. Two of this process's connections
/// asking for it at once meant one of them sleeping in SQLite's busy handler
/// (1, 2, 5, 10 … ms between tries) while the lock was long free again; and
/// every commit waits for the disk (`fsync`), which under load was most of a
/// link join's time. Here writers wait without a connection; the one whose turn
/// it is runs its transaction and then, inside the same transaction, the work
/// of every writer that arrived meanwhile, each in a savepoint of its own so
/// that one failing (a full plan, a conflict) undoes only its own writes. One
/// commit, one `fsync`, and every writer hears its own answer after it. A
/// writer's answer is never given before the commit that made it durable.
///
/// PostgreSQL is not queued: its row locks already wait without sleeping, and
/// its transactions run side by side. Other processes (a `crew` command) still
/// meet these writers in SQLite's busy handler.
///
/// One queue per opened database (`DatabaseService` attaches it to the
/// database's configuration, where every handle of that database finds it).
public final class SQLiteWriterQueue: Sendable {

    /// Writers committed together at most: bounds how long the first waits.
    static let batchLimit = 32

    private struct Writer: Sendable {
        let work: @Sendable (any Database) async throws -> any Sendable
        let answer: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var running = false
        /// In arrival order; as long as the number of concurrent writers.
        var waiting: [Writer] = []
    }

    private let state = Mutex(State())

    /// Runs `work` in a transaction on `db`; on a SQLite database opened by
    /// `DatabaseService`, as this process's only writer at the time. Used inside
    /// a transaction it runs there at once: the outer transaction has the turn.
    static func transaction<T: Sendable>(on db: any Database, _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !db.inTransaction, let queue = (db.context.configuration as? QueuedSQLiteConfiguration)?.writers else {
            return try await db.preparedTransaction(work)
        }
        return try await queue.transaction(on: db, work)
    }

    private func transaction<T: Sendable>(on db: any Database, _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let answer = try await withCheckedThrowingContinuation { (answer: CheckedContinuation<any Sendable, any Error>) in
            let writer = Writer(work: { try await work($0) }, answer: answer)
            let first = state.withLock { state -> Bool in
                guard !state.running else {
                    state.waiting.append(writer)
                    return false
                }
                state.running = true
                return true
            }
            if first { Task { await self.runTurns(on: db, startingWith: writer) } }
        }
        return answer as! T
    }

    /// Commits batches until nobody waits.
    private func runTurns(on db: any Database, startingWith first: Writer) async {
        var next: Writer? = first
        while let writer = next {
            await commitBatch(on: db, startingWith: writer)
            next = state.withLock { state -> Writer? in
                guard !state.waiting.isEmpty else {
                    state.running = false
                    return nil
                }
                return state.waiting.removeFirst()
            }
        }
    }

    /// One transaction: `first`'s work, then that of the writers waiting, each
    /// in a savepoint. `first` needs none: when it fails nothing else has run,
    /// and the whole transaction rolls back.
    private func commitBatch(on db: any Database, startingWith first: Writer) async {
        let batch = Batch(first)
        let outcome: Result<[Result<any Sendable, any Error>], any Error>
        do {
            outcome = .success(
                try await db.transaction { tx -> [Result<any Sendable, any Error>] in
                    var answers: [Result<any Sendable, any Error>] = [.success(try await first.work(tx))]
                    let sql = tx as! any SQLDatabase
                    while answers.count < Self.batchLimit, let writer = self.takeWaiting() {
                        batch.add(writer)
                        try await sql.raw("SAVEPOINT crew_writer").run()
                        do {
                            answers.append(.success(try await writer.work(tx)))
                            try await sql.raw("RELEASE crew_writer").run()
                        } catch {
                            try await sql.raw("ROLLBACK TO crew_writer").run()
                            try await sql.raw("RELEASE crew_writer").run()
                            answers.append(.failure(error))
                        }
                    }
                    return answers
                })
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let answers):
            for (writer, answer) in zip(batch.writers, answers) { writer.answer.resume(with: answer) }
        case .failure(let error):
            // Nothing of the batch was committed: everyone in it hears why.
            for writer in batch.writers { writer.answer.resume(throwing: error) }
        }
    }

    /// The writers of one transaction, as they are taken from the queue.
    private final class Batch: Sendable {
        private let taken: Mutex<[Writer]>

        init(_ first: Writer) {
            taken = Mutex([first])
        }

        func add(_ writer: Writer) {
            taken.withLock { $0.append(writer) }
        }

        var writers: [Writer] { taken.withLock { $0 } }
    }

    private func takeWaiting() -> Writer? {
        state.withLock { state in state.waiting.isEmpty ? nil : state.waiting.removeFirst() }
    }
}

/// A SQLite configuration with the database's writer queue and inline reader
/// attached; otherwise exactly the configuration it wraps.
struct QueuedSQLiteConfiguration: DatabaseConfiguration {
    var wrapped: any DatabaseConfiguration
    let writers = SQLiteWriterQueue()
    let readers: SQLiteInlineReader

    var middleware: [any AnyModelMiddleware] {
        get { wrapped.middleware }
        set { wrapped.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        wrapped.makeDriver(for: databases)
    }
}
