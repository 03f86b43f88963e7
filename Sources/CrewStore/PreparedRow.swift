import FluentKit
import FluentPostgresDriver
import FluentSQL
import FluentSQLiteDriver
import Foundation

/// A column type both databases read without `Codable`'s keyed containers.
public protocol PreparedColumn: PostgresDecodable, Decodable, Sendable {
    /// The value SQLite's `data` holds, converted as SQLiteNIO's decoding
    /// converts it; nil when it holds none of this type.
    static func read(sqlite data: SQLiteData) -> Self?
    /// The value of a PostgreSQL cell. Each type calls PostgresNIO's decoding
    /// with itself named: through `ColumnReader`'s generic `next` the call was
    /// unspecialized and looked up the decoding context's generic metadata on
    /// every cell (7 % of a members page read from PostgreSQL).
    static func read(postgres cell: PostgresCell) throws -> Self
}

extension PreparedColumn where Self: SQLiteDataConvertible {
    public static func read(sqlite data: SQLiteData) -> Self? { Self(sqliteData: data) }
}

extension PreparedColumn {
    // Each conformance's witness calls this with its own type, so the compiler
    // specializes the decoding for it.
    public static func read(postgres cell: PostgresCell) throws -> Self { try cell.decode(Self.self, context: .default) }
}

extension String: PreparedColumn {}
extension Int: PreparedColumn {}
extension Bool: PreparedColumn {}
extension Date: PreparedColumn {}
extension Double: PreparedColumn {}
extension RowID: PreparedColumn {}
extension Optional: PreparedColumn where Wrapped: PreparedColumn, Wrapped._DecodableType == Wrapped {
    public static func read(sqlite data: SQLiteData) -> Self? {
        data.isNull ? .some(nil) : Wrapped.read(sqlite: data).map { .some($0) }
    }

    public static func read(postgres cell: PostgresCell) throws -> Self {
        cell.bytes == nil ? nil : try Wrapped.read(postgres: cell)
    }
}

/// A row a prepared statement returns, read column by column in the
/// statement's order. Reading a members page through `Decodable` cost a third
/// of its CPU on PostgreSQL (keyed containers, a lookup per column by name, a
/// dynamic cast per value); this reads PostgreSQL's cells in order, typed.
public protocol PreparedRow: Sendable {
    init(reading columns: inout ColumnReader) throws
}

/// The columns of one row, in order. SQLite's rows read through the pool are
/// read by name (SQLKit does not hand out its rows' cells); the names must be
/// the statement's.
public struct ColumnReader {
    // One of the three sources is set. Stored apart rather than as an enum's
    // payload so that reading a PostgreSQL cell advances the iterator in
    // place (taking it out of an enum and back copied it, a retain and a
    // release per cell: 561 cells a members page).
    private var postgres: PostgresRow.Iterator?
    private var row: (any SQLRow)?
    /// A row of `SQLiteInlineReader`: the statement, the next column, and
    /// whether to check names (its first row).
    private var sqlite: (statement: OpaquePointer, next: Int32, checkingNames: Bool)?

    fileprivate init(postgres row: PostgresRow) {
        postgres = row.makeIterator()
    }

    fileprivate init(row: any SQLRow) {
        self.row = row
    }

    /// The row `statement` stands on. With `checkingNames` (a statement's first
    /// row), each column's name is checked against the one asked for, as reading
    /// by name would.
    init(sqlite statement: OpaquePointer, checkingNames: Bool) {
        sqlite = (statement, 0, checkingNames)
    }

    /// The next column, which the statement names `name`. Inlinable so each
    /// row type reads its columns through calls specialized for their types
    /// (generic, each cell looked up metadata: 3 % of a members page).
    @inlinable
    public mutating func next<Column: PreparedColumn>(_ name: String, as type: Column.Type = Column.self) throws -> Column {
        if let cell = try nextPostgresCell(name) {
            return try Column.read(postgres: cell)
        }
        if let data = try nextSQLiteData(name) {
            guard let value = Column.read(sqlite: data) else {
                throw DecodingError.typeMismatch(
                    Column.self, .init(codingPath: [], debugDescription: "Could not convert SQLite data to \(Column.self): \(data)."))
            }
            return value
        }
        return try decodeFromRow(name, as: Column.self)
    }

    /// The next PostgreSQL cell, or nil when this row is not PostgreSQL's.
    @usableFromInline
    mutating func nextPostgresCell(_ name: String) throws -> PostgresCell? {
        guard postgres != nil else { return nil }
        guard let cell = postgres!.next() else { throw MissingColumn(name: name) }
        return cell
    }

    /// The inline reader's next value, or nil when this row is not its.
    @usableFromInline
    mutating func nextSQLiteData(_ name: String) throws -> SQLiteData? {
        try nextSQLiteColumn(name)?.data
    }

    /// The column of a row read through the pool, by name.
    @usableFromInline
    func decodeFromRow<Column: PreparedColumn>(_ name: String, as type: Column.Type) throws -> Column {
        guard let row else { throw MissingColumn(name: name) }
        return try row.decode(column: name, as: Column.self)
    }

    /// Passes over the next column, which the statement names `name`.
    public mutating func skip(_ name: String) throws {
        if postgres != nil {
            guard postgres!.next() != nil else { throw MissingColumn(name: name) }
        } else {
            _ = try nextSQLiteColumn(name)
        }
    }

    /// The inline reader's next column (its name checked on a first row), or
    /// nil when this row is not the inline reader's.
    private mutating func nextSQLiteColumn(_ name: String) throws -> SQLiteColumn? {
        guard let (statement, index, checkingNames) = sqlite else { return nil }
        let column = SQLiteColumn(statement: statement, index: index)
        if checkingNames, column.name != name { throw MissingColumn(name: name) }
        sqlite!.next = index + 1
        return column
    }

    struct MissingColumn: Error {
        let name: String
    }
}

extension Database {
    /// Every row the statement returns, read as `Row`.
    public func all<Row: PreparedRow>(_ statement: some PreparedStatement, as type: Row.Type) async throws -> [Row] {
        if let postgres = self as? any PostgresDatabase {
            return try await withPostgresConnection(postgres) { connection in
                try await connection.rows(of: statement) { row in
                    var columns = ColumnReader(postgres: row)
                    return try Row(reading: &columns)
                }
            }
        }
        if let rows = try inlineReader(for: statement)?.rows(statement, as: Row.self) {
            return rows
        }
        return try await all(statement).map { row in
            var columns = ColumnReader(row: row)
            return try Row(reading: &columns)
        }
    }

    /// Where `statement` reads on the calling thread: a SQLite file database,
    /// outside a transaction, for a statement that asks for it.
    private func inlineReader<Statement: PreparedStatement>(for statement: Statement) -> SQLiteInlineReader? {
        guard Statement.readsInline, !inTransaction else { return nil }
        return (context.configuration as? QueuedSQLiteConfiguration)?.readers
    }

    /// The first row the statement returns, if any, read as `Row`.
    public func first<Row: PreparedRow>(_ statement: some PreparedStatement, as type: Row.Type) async throws -> Row? {
        try await all(statement, as: type).first
    }
}
