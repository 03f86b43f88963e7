import Crypto
import FluentKit
import FluentPostgresDriver
import FluentSQL
import FluentSQLiteDriver
import Foundation
import Synchronization

/// A statement the hot paths run many times a second (every signed-in request's
/// session lookup, a join's link read), declared once with its text.
///
/// On PostgreSQL it runs as a named prepared statement: parsed and planned once
/// per connection rather than on every call. Planning was most of the server's
/// work for such lookups (pgbench on the session lookup: 18,600/s parsed and
/// planned each time, 57,600/s prepared; bench/NOTES.md). On SQLite, which
/// prepares in microseconds, it runs as a plain statement.
///
/// Name columns rather than `*`: a prepared `SELECT *` fails ("cached plan must
/// not change result type") once a migration adds a column under a running
/// process.
public protocol PreparedStatement: Sendable {
    /// The text in PostgreSQL's spelling, with `$1`, `$2`… for the values.
    static var sql: String { get }
    /// SQLite's spelling, where it differs (the same placeholders).
    static var sqliteSQL: String { get }
    /// The values of `$1`, `$2`…, in that order.
    var values: [any PreparedValue] { get }
    /// Whether PostgreSQL plans it on every run, for the values of that run,
    /// instead of keeping one plan per connection: for a statement whose best
    /// plan depends on its values. It is still declared once and read the same.
    static var plannedEachTime: Bool { get }
    /// Whether SQLite runs it on the calling thread (`SQLiteInlineReader`):
    /// for short reads by an index that requests make on every call (a
    /// session, a membership, a page of 50), never for reads whose length
    /// grows with the data.
    static var readsInline: Bool { get }
}

extension PreparedStatement {
    public static var sqliteSQL: String { sql }
    public static var plannedEachTime: Bool { false }
    public static var readsInline: Bool { false }

    /// The name it is prepared under on each PostgreSQL connection: its type's
    /// name, hashed when longer than the 63 bytes PostgreSQL keeps of a name.
    /// Worked out once per type (every call needs it; it was 14 % of a join's
    /// CPU when computed each time).
    public static var preparedName: String {
        let type = ObjectIdentifier(Self.self)
        if let name = preparedNames.withLock({ $0[type] }) { return name }
        var name = String(reflecting: Self.self)
        if name.utf8.count > 63 {
            name = "crew_" + SHA256.hash(data: Data(name.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        }
        preparedNames.withLock { $0[type] = name }
        return name
    }
}

private let preparedNames = Mutex<[ObjectIdentifier: String]>([:])

/// A value a prepared statement binds: what both databases take natively.
public protocol PreparedValue: Encodable, Sendable {
    func append(to bindings: inout PostgresBindings) throws
    /// The value as SQLiteNIO's encoding binds it.
    var sqliteValue: SQLiteData { get }
}

extension PreparedValue where Self: PostgresEncodable {
    public func append(to bindings: inout PostgresBindings) throws { try bindings.append(self) }
}

// SQLite keeps ids as their uppercase text (SQLiteNIO encodes a UUID as its `uuidString`).
extension UUID: PreparedValue { public var sqliteValue: SQLiteData { .text(uppercaseString) } }
extension String: PreparedValue { public var sqliteValue: SQLiteData { .text(self) } }
extension Int: PreparedValue { public var sqliteValue: SQLiteData { .integer(self) } }
extension Bool: PreparedValue { public var sqliteValue: SQLiteData { .integer(self ? 1 : 0) } }
extension Date: PreparedValue { public var sqliteValue: SQLiteData { .float(timeIntervalSince1970) } }
extension Double: PreparedValue { public var sqliteValue: SQLiteData { .float(self) } }

/// SQL `NULL`, for a value a statement leaves empty.
public struct PreparedNull: PreparedValue {
    public init() {}
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
    public func append(to bindings: inout PostgresBindings) { bindings.appendNull() }
    public var sqliteValue: SQLiteData { .null }
}

/// Many ids as one value: a PostgreSQL `uuid[]`, and on SQLite a JSON array
/// of them as SQLite stores ids; a statement tests a column against it with
/// `IDList.postgres`/`IDList.sqlite`. One statement text for any count,
/// instead of a placeholder per id that each database parses and plans anew.
public struct IDList: PreparedValue {
    public let ids: [UUID]

    public init(_ ids: [UUID]) {
        self.ids = ids
    }

    public func append(to bindings: inout PostgresBindings) throws { bindings.append(ids) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(json)
    }

    public var sqliteValue: SQLiteData { .text(json) }

    /// The ids as SQLite stores them (uppercase text), in a JSON array.
    private var json: String {
        "[" + ids.map { "\"\($0.uppercaseString)\"" }.joined(separator: ",") + "]"
    }

    /// "`column` is one of the ids bound at `placeholder`", as PostgreSQL
    /// (for `sql`) and SQLite (for `sqliteSQL`) spell it.
    public static func postgres(_ column: String, in placeholder: String) -> String {
        "\(column) = ANY(\(placeholder))"
    }

    public static func sqlite(_ column: String, in placeholder: String) -> String {
        "\(column) IN (SELECT value FROM json_each(\(placeholder)))"
    }
}

extension Optional: PreparedValue where Wrapped: PreparedValue & PostgresEncodable {
    public func append(to bindings: inout PostgresBindings) throws { try bindings.append(self) }
    public var sqliteValue: SQLiteData { self?.sqliteValue ?? .null }
}

extension Database {
    /// Every row the statement returns.
    public func all(_ statement: some PreparedStatement) async throws -> [any SQLRow] {
        if let postgres = self as? any PostgresDatabase {
            return try await withPostgresConnection(postgres) { connection in
                try await connection.rows(of: statement) { $0.sql() }
            }
        }
        return try await (self as! any SQLDatabase).raw("\(SQLiteForm(statement))").all()
    }

    /// Runs `work` on a PostgreSQL connection: in a transaction, the
    /// transaction's own (held for its whole length, so used directly); else
    /// one lent by the pool until `work` is done.
    func withPostgresConnection<T: Sendable>(
        _ postgres: any PostgresDatabase, _ work: (PostgresConnection) async throws -> T
    ) async throws -> T {
        if inTransaction {
            let connection = try await postgres.withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
            return try await withTaskExecutorPreference(EventLoopTaskExecutor.of(connection.eventLoop)) { try await work(connection) }
        }
        // The pool lends a connection for as long as the future its closure
        // returns is pending: the closure hands the connection to this task
        // and returns `done`, so `work` runs in the caller's task (running it
        // in the closure took an unstructured task per statement, outside the
        // caller's cancellation and task executor preference).
        let done = postgres.eventLoop.makePromise(of: Void.self)
        defer { done.succeed(()) }
        let connection = try await withCheckedThrowingContinuation { (lent: CheckedContinuation<PostgresConnection, any Error>) in
            postgres.withConnection { connection in
                lent.resume(returning: connection)
                return done.futureResult
            }.whenFailure { error in
                // Only a connection never lent fails here: `done` always succeeds.
                lent.resume(throwing: error)
            }
        }
        return try await withTaskExecutorPreference(EventLoopTaskExecutor.of(connection.eventLoop)) { try await work(connection) }
    }

    /// The first row the statement returns, if any.
    public func first(_ statement: some PreparedStatement) async throws -> (any SQLRow)? {
        try await all(statement).first
    }

    /// Runs a statement that returns no rows.
    public func run(_ statement: some PreparedStatement) async throws {
        _ = try await all(statement)
    }
}

extension PostgresConnection {
    /// The rows of the statement, each read by `read`: prepared, or planned for
    /// this run when the statement asks for that.
    func rows<Statement: PreparedStatement, Row>(
        of statement: Statement, _ read: @escaping @Sendable (PostgresRow) throws -> Row
    ) async throws -> [Row] {
        let form = PostgresForm(statement)
        if Statement.plannedEachTime {
            return try await query(PostgresQuery(unsafeSQL: Statement.sql, binds: try form.makeBindings()), logger: logger)
                .reduce(into: [Row]()) { $0.append(try read($1)) }
        }
        return try await execute(form, logger: logger).reduce(into: [Row]()) { $0.append(try read($1)) }
    }
}

/// The statement as PostgresNIO prepares it: once per connection, by name.
struct PostgresForm<Statement: PreparedStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { Statement.preparedName }
    static var sql: String { Statement.sql }

    let statement: Statement

    init(_ statement: Statement) { self.statement = statement }

    func makeBindings() throws -> PostgresBindings {
        let values = statement.values
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { try value.append(to: &bindings) }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// The statement as SQLite runs it: its text with each `$n` bound to value n.
private struct SQLiteForm<Statement: PreparedStatement>: SQLExpression {
    let statement: Statement

    init(_ statement: Statement) { self.statement = statement }

    func serialize(to serializer: inout SQLSerializer) {
        let values = statement.values
        let text = Array(Statement.sqliteSQL.utf8)
        var start = 0, index = 0
        while index < text.count {
            guard text[index] == UInt8(ascii: "$") else {
                index += 1
                continue
            }
            var end = index + 1
            var number = 0
            while end < text.count, text[end] >= UInt8(ascii: "0"), text[end] <= UInt8(ascii: "9") {
                number = number * 10 + Int(text[end] - UInt8(ascii: "0"))
                end += 1
            }
            guard end > index + 1 else {
                index += 1
                continue
            }
            precondition(number >= 1 && number <= values.count, "\(Statement.self) has no value for $\(number)")
            serializer.write(String(decoding: text[start..<index], as: UTF8.self))
            serializer.write(bind: values[number - 1])
            start = end
            index = end
        }
        serializer.write(String(decoding: text[start...], as: UTF8.self))
    }
}

/// `$first, …, $last`: the placeholders of a run of values.
public func placeholders(_ numbers: ClosedRange<Int>) -> String {
    numbers.map { "$\($0)" }.joined(separator: ", ")
}

extension Model {
    /// The model's columns, for prepared statements that read whole models:
    /// `"id", "workspace_id", …`, each prefixed with `alias.` when given.
    public static func columns(as alias: String? = nil) -> String {
        keys.map { key in (alias.map { "\($0)." } ?? "") + "\"\(key.description)\"" }.joined(separator: ", ")
    }

    /// The model's columns of `alias`, each named `prefix` + its name, for a
    /// statement that reads them beside another table's columns of the same names.
    public static func columns(as alias: String, prefixed prefix: String) -> String {
        keys.map { key in "\(alias).\"\(key.description)\" AS \"\(prefix)\(key.description)\"" }.joined(separator: ", ")
    }
}
