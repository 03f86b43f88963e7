import Foundation
import NIOCore
import SQLiteNIO
import Synchronization
// The SQLite that SQLiteNIO links, not a second copy: two copies of SQLite in
// one process break each other's POSIX locks on the same file (closing a file
// in one drops the other's locks), which can corrupt the database.
import VaporCSQLite

/// Runs the hot read-only statements of a SQLite file database on the calling
/// thread, each thread with a connection of its own, instead of on SQLiteNIO's
/// thread pool.
///
/// Through the pool every statement is two thread hops (to a pool thread and
/// back to the event loop) behind the one connection an event loop has, and
/// the event loop waits idle in between; a lookup by a unique index takes a
/// few microseconds in SQLite and tens around it (bench/NOTES.md §21). In WAL
/// mode readers never wait for the writer, so a read here does not block on
/// writes; its statements stay prepared per connection (SQLiteNIO prepares
/// every statement anew).
///
/// Only statements that opt in (`PreparedStatement.readsInline`) and that
/// SQLite confirms read-only come here, outside transactions; whenever a read
/// cannot run here (SQLite busy, any error, too many threads, closed) the
/// caller reads through the pool instead, so answers and errors are the
/// pool's.
public final class SQLiteInlineReader: Sendable {
    let path: String
    private let state = Mutex(State())
    private let inlineReads = Atomic<Int>(0)
    private let poolReads = Atomic<Int>(0)
    private let reprepares = Atomic<Int>(0)

    /// Connections opened at most: one per thread that reads (the event loops,
    /// Swift concurrency's threads); more threads read through the pool.
    public static let connectionLimit = 16

    private struct State {
        var connections: [UInt: ReadConnection] = [:]
        var closed = false
    }

    init(path: String) {
        self.path = path
    }

    /// The statement's rows read on this thread, or nil when they must be read
    /// through the pool.
    func rows<Statement: PreparedStatement, Row: PreparedRow>(_ statement: Statement, as type: Row.Type) throws -> [Row]? {
        let rows = try checkOut().flatMap { connection in
            defer { checkIn(connection) }
            return try connection.rows(statement, as: Row.self, reprepared: { reprepares.add(1, ordering: .relaxed) })
        }
        if rows == nil {
            poolReads.add(1, ordering: .relaxed)
        } else {
            inlineReads.add(1, ordering: .relaxed)
        }
        return rows
    }

    /// How reads went since the database was opened.
    public struct Statistics: Sendable, Equatable {
        /// Statements read on the calling thread.
        public var inline: Int
        /// Statements that asked to, but were read through the pool.
        public var throughPool: Int
        /// Runs for which SQLite prepared a kept statement anew (a schema
        /// change, or a plan that depended on a bound value).
        public var reprepared: Int
        /// Connections open now.
        public var connections: Int
    }

    public var statistics: Statistics {
        Statistics(
            inline: inlineReads.load(ordering: .relaxed), throughPool: poolReads.load(ordering: .relaxed),
            reprepared: reprepares.load(ordering: .relaxed), connections: state.withLock { $0.connections.count })
    }

    /// Closes every connection; reads after this go through the pool.
    func close() {
        let idle = state.withLock { state -> [ReadConnection] in
            state.closed = true
            defer { state.connections.removeAll() }
            return state.connections.values.filter { !$0.inUse }
        }
        // One in use is closed by its thread when it checks the connection in.
        for connection in idle { connection.close() }
    }

    private func checkOut() -> ReadConnection? {
        let thread = currentThreadID()
        let found = state.withLock { state -> (ReadConnection?, open: Bool) in
            guard !state.closed else { return (nil, false) }
            if let connection = state.connections[thread] {
                connection.inUse = true
                return (connection, false)
            }
            return (nil, state.connections.count < Self.connectionLimit)
        }
        if let connection = found.0 { return connection }
        guard found.open, let connection = ReadConnection(path: path) else { return nil }
        connection.inUse = true
        let kept = state.withLock { state -> Bool in
            guard !state.closed, state.connections[thread] == nil else { return false }
            state.connections[thread] = connection
            return true
        }
        guard kept else {
            connection.close()
            return nil
        }
        return connection
    }

    private func checkIn(_ connection: ReadConnection) {
        let closeNow = state.withLock { state -> Bool in
            connection.inUse = false
            return state.closed
        }
        if closeNow { connection.close() }
    }
}

private func currentThreadID() -> UInt {
    #if canImport(Glibc)
    UInt(pthread_self())
    #else
    UInt(bitPattern: pthread_self())
    #endif
}

/// One thread's connection and its prepared statements. Only the thread that
/// checked it out uses it (`inUse` is read and written under the reader's lock).
private final class ReadConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [ObjectIdentifier: Prepared] = [:]
    var inUse = false

    init?(path: String) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            sqlite_nio_sqlite3_close(handle)
            return nil
        }
        self.handle = handle
        // Never wait here for a lock (that would hold the thread's other
        // work): a busy database is read through the pool, which waits.
        // `query_only` makes a statement that writes fail instead of writing.
        guard sqlite_nio_sqlite3_busy_timeout(handle, 0) == SQLITE_OK,
            sqlite_nio_sqlite3_exec(handle, "PRAGMA query_only = 1", nil, nil, nil) == SQLITE_OK
        else {
            close()
            return nil
        }
    }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
        statements.removeAll()
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }

    /// The rows, or nil when SQLite could not run the statement here.
    /// - Parameter reprepared: called when SQLite had to prepare the statement anew.
    func rows<Statement: PreparedStatement, Row: PreparedRow>(
        _ statement: Statement, as type: Row.Type, reprepared: () -> Void
    ) throws -> [Row]? {
        guard let prepared = prepared(Statement.self) else { return nil }
        let handle = prepared.handle
        // The reset ends the read transaction the first step began: a
        // statement left open would pin an old snapshot and hold back
        // checkpoints. Every parameter is bound again on the next run
        // (clearing them would make SQLite prepare anew a statement whose
        // plan looked at a bound value).
        defer {
            sqlite_nio_sqlite3_reset(handle)
            if sqlite_nio_sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 1) > 0 { reprepared() }
        }
        let values = statement.values
        for (parameter, value) in prepared.values.enumerated() {
            guard value < values.count,
                SQLiteColumn.bind(values[value].sqliteValue, to: handle, at: Int32(parameter + 1)) == SQLITE_OK
            else { return nil }
        }
        var rows: [Row] = []
        while true {
            switch sqlite_nio_sqlite3_step(handle) {
            case SQLITE_ROW:
                var columns = ColumnReader(sqlite: handle, checkingNames: rows.isEmpty)
                rows.append(try Row(reading: &columns))
            case SQLITE_DONE:
                return rows
            default:
                // Busy, or any other failure: the pool's read answers (and
                // reports the error the way every other statement does).
                return nil
            }
        }
    }

    /// A statement prepared on this connection, and for each of its
    /// parameters which value it takes.
    private struct Prepared {
        let handle: OpaquePointer
        /// SQLite numbers parameters in the order they first appear, so `$2`
        /// may be its first: entry i is the value (`$n` − 1) of parameter i + 1.
        let values: [Int]
    }

    /// The statement prepared on this connection, prepared on first use; nil
    /// when it does not prepare or would write.
    private func prepared<Statement: PreparedStatement>(_ type: Statement.Type) -> Prepared? {
        let key = ObjectIdentifier(type)
        if let statement = statements[key] { return statement }
        guard let connection = handle else { return nil }
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v3(connection, Statement.sqliteSQL, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
            let statement, sqlite_nio_sqlite3_stmt_readonly(statement) != 0
        else {
            sqlite_nio_sqlite3_finalize(statement)
            return nil
        }
        var values: [Int] = []
        let count = sqlite_nio_sqlite3_bind_parameter_count(statement)
        for parameter in stride(from: Int32(1), through: count, by: 1) {
            guard let name = sqlite_nio_sqlite3_bind_parameter_name(statement, parameter).map({ String(cString: $0) }),
                name.hasPrefix("$"), let number = Int(name.dropFirst()), number >= 1
            else {
                sqlite_nio_sqlite3_finalize(statement)
                return nil
            }
            values.append(number - 1)
        }
        let prepared = Prepared(handle: statement, values: values)
        statements[key] = prepared
        return prepared
    }
}

/// A column of the row a SQLite statement stands on, and the binding of
/// values, both exactly as SQLiteNIO converts them (`SQLiteData`), so a row
/// reads the same here as through the pool.
struct SQLiteColumn {
    let statement: OpaquePointer
    let index: Int32

    var data: SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, index) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }

    /// The name the statement gives the column.
    var name: String? {
        sqlite_nio_sqlite3_column_name(statement, index).map { String(cString: $0) }
    }

    static func bind(_ value: SQLiteData, to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch value {
        case .integer(let integer):
            return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
        case .float(let double):
            return sqlite_nio_sqlite3_bind_double(statement, index, double)
        case .text(let text):
            return sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), sqliteTransient, UInt8(SQLITE_UTF8))
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), sqliteTransient)
            }
        case .null:
            return sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }
}

/// SQLite copies a value bound with this destructor before the bind returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
