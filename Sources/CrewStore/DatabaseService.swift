import CrewCore
import FluentKit
import AsyncKit
import Synchronization
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Where the data lives, parsed from `CREW_DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// A throw-away database for tests.
    case sqliteMemory
    case sqliteFile(path: String)
    /// A PostgreSQL URL, and an optional schema to use instead of `public`
    /// (tests give every run its own schema).
    case postgres(url: String, schema: String?)

    /// Parses `sqlite::memory:`, `sqlite://PATH`, `sqlite:PATH` or `postgres://…`.
    /// - Returns: `nil` when the text is none of those.
    public init?(url text: String) {
        if text == "sqlite::memory:" || text == "sqlite://:memory:" {
            self = .sqliteMemory
        } else if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { return nil }
            self = .sqliteFile(path: path)
        } else if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { return nil }
            self = .sqliteFile(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard (try? SQLPostgresConfiguration(url: text)) != nil else { return nil }
            self = .postgres(url: text, schema: nil)
        } else {
            return nil
        }
    }

    public var isPostgres: Bool {
        if case .postgres = self { true } else { false }
    }

    /// Safe to log: the password of a PostgreSQL URL is masked.
    public var description: String {
        switch self {
        case .sqliteMemory: "sqlite::memory:"
        case .sqliteFile(let path): "sqlite://\(path)"
        case .postgres(let url, let schema):
            (URL(string: url).map { u in
                "postgres://\(u.user.map { "\($0)@" } ?? "")\(u.host ?? ""):\(u.port ?? 5432)\(u.path)"
            } ?? "postgres://…") + (schema.map { " (schema \($0))" } ?? "")
        }
    }
}

/// Owns FluentKit's `Databases` for the life of the process: opens the
/// configured database, runs migrations, and shuts the pools down gracefully
/// when the service group stops.
public struct DatabaseService: Service, CustomStringConvertible {
    /// Short, so lifecycle logs never print the configuration it holds.
    public var description: String { "DatabaseService(\(location))" }

    public let databases: Databases
    public let location: DatabaseLocation
    let logger: Logger
    /// SQLite runs every statement on a thread pool, and a connection waiting for
    /// the write lock occupies its thread; a pool of its own (more threads than
    /// connections) keeps the lock holder from ever waiting for a thread behind it.
    let threadPool: NIOThreadPool
    /// A SQLite file's reader of hot statements on the calling thread.
    public let inlineReader: SQLiteInlineReader?
    /// Set once this process brought the schema up to date and passed its
    /// start-up checks; background workers wait for it instead of racing them.
    private let migrated = MigrationFlag()

    /// - Parameters:
    ///   - location: which database to open.
    ///   - poolSize: connections per event loop (PostgreSQL; SQLite always uses one).
    ///   - poolTimeout: how long a request waits for a free connection before failing.
    public init(location: DatabaseLocation, poolSize: Int = 4, poolTimeout: TimeAmount = .seconds(10), logger: Logger) throws {
        self.location = location
        self.logger = logger
        let eventLoops = MultiThreadedEventLoopGroup.singleton
        self.threadPool = NIOThreadPool(numberOfThreads: 2 * Array(eventLoops.makeIterator()).count + 2)
        threadPool.start()
        self.databases = Databases(threadPool: threadPool, on: eventLoops)
        var inlineReader: SQLiteInlineReader? = nil
        switch location {
        case .sqliteMemory:
            databases.use(.sqlite(.memory, connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace), as: .sqlite)
        case .sqliteFile(let path):
            let configuration = DatabaseConfigurationFactory.sqlite(.file(path), connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace).make()
            let reader = SQLiteInlineReader(path: path)
            inlineReader = reader
            databases.use(QueuedSQLiteConfiguration(wrapped: configuration, readers: reader), as: .sqlite)
        case .postgres(let url, let schema):
            var configuration = try SQLPostgresConfiguration(url: url)
            if let schema { configuration.searchPath = [schema] }
            databases.use(
                .postgres(
                    configuration: configuration, maxConnectionsPerEventLoop: poolSize,
                    connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace),
                as: .psql)
        }
        self.inlineReader = inlineReader
    }

    /// A database handle for one unit of work.
    public func database(logger: Logger? = nil) -> any Database {
        databases.database(logger: logger ?? self.logger, on: databases.eventLoopGroup.any())!
    }

    /// Prepares the database (WAL for SQLite files) and runs every pending
    /// migration, one process at a time: several processes starting together
    /// wait for each other (a PostgreSQL advisory lock, a lock file for SQLite).
    /// A database migrated by a newer Crew is refused.
    public func migrate() async throws {
        let db = database()
        if case .sqliteFile = location, let sql = db as? any SQLDatabase {
            // WAL lets readers proceed while one writer commits; it persists in the file.
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await setBusyTimeouts()
        }
        try await MigrationLock.holding(location, on: db) {
            let migrations = Migrations()
            migrations.add(CrewMigrations.all)
            let migrator = Migrator(
                databases: databases, migrations: migrations, logger: logger,
                on: databases.eventLoopGroup.any(), migrationLogLevel: .debug)
            try await migrator.setupIfNeeded().get()
            try await refuseNewerSchema(on: db)
            try await migrator.prepareBatch().get()
        }
    }

    /// SQLite's driver retries a locked database in a tight loop, forever. Each
    /// connection (one per event loop, kept open for the life of the pool) is
    /// told to sleep between tries instead and to give up after a while (503).
    /// Writers of this process rarely meet there (`SQLiteWriterQueue`); other
    /// processes' writers, and this process's single-statement writes, do.
    private func setBusyTimeouts() async throws {
        for eventLoop in databases.eventLoopGroup.makeIterator() {
            let sql = databases.database(logger: logger, on: eventLoop) as! any SQLDatabase
            try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(WorkspaceLock.sqliteBusyTimeoutMilliseconds))").run()
        }
    }

    /// Lets background workers start: the schema is current and this process
    /// passed its start-up checks.
    public func markReady() {
        migrated.value.store(true, ordering: .releasing)
    }

    /// Names of migrations this binary does not know mean a newer Crew ran here.
    private func refuseNewerSchema(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let known = Set(CrewMigrations.all.map(\.name))
        let applied = try await sql.select().column("name").from("_fluent_migrations").all().map { try $0.decode(column: "name", as: String.self) }
        if let unknown = applied.filter({ !known.contains($0) }).sorted().first {
            throw DatabaseRefusal(
                setting: "CREW_DATABASE_URL", message: "the database was migrated by a newer Crew (it has migration \(unknown), which this binary does not know); run that version or newer")
        }
    }

    /// Returns once `markReady()` was called in this process (or the task is
    /// cancelled or the service group shuts down first).
    public func waitUntilReady() async {
        while !migrated.value.load(ordering: .acquiring) && !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Checks that the database answers within `timeout`, for `/health`. A
    /// database that hangs (paused, network gone) is reported at once instead
    /// of holding the health check until it wakes up.
    public func ping(timeout: Duration = .seconds(2)) async throws {
        guard let sql = database() as? any SQLDatabase else { return }
        try await Deadline.race(timeout, work: { try await sql.raw("SELECT 1").run() }) {
            .failure(ConnectionPoolTimeoutError.connectionRequestTimeout)
        }
    }

    public func shutdown() async {
        inlineReader?.close()
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
    }

    /// Keeps the pools open until the service group shuts down, then closes them.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}

/// A flag shared between copies of a struct or between racing tasks.
private final class MigrationFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// The database cannot be used by this process; one line for the operator,
/// naming the setting to look at.
public struct DatabaseRefusal: Error, CustomStringConvertible {
    public var setting: String
    public var message: String
    public var description: String { "\(setting): \(message)" }

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }
}
