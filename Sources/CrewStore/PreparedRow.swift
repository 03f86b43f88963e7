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
}

extension PreparedColumn where Self: SQLiteDataConvertible {
    public static func read(sqlite data: SQLiteData) -> Self? { Self(sqliteData: data) }
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
    fileprivate enum Source {
        case postgres(PostgresRow.Iterator)
        case sql(any SQLRow)
        /// A row of `SQLiteInlineReader`: the statement and the next column.
        case sqlite(OpaquePointer, next: Int32, checkingNames: Bool)
    }

    fileprivate var source: Source

    fileprivate init(source: Source) {
        self.source = source
    }

    /// The row `statement` stands on. With `checkingNames` (a statement's first
    /// row), each column's name is checked against the one asked for, as reading
    /// by name would.
    init(sqlite statement: OpaquePointer, checkingNames: Bool) {
        source = .sqlite(statement, next: 0, checkingNames: checkingNames)
    }

    /// The next column, which the statement names `name`.
    public mutating func next<Column: PreparedColumn>(_ name: String, as type: Column.Type = Column.self) throws -> Column {
        switch source {
        case .postgres(var cells):
            guard let cell = cells.next() else { throw MissingColumn(name: name) }
            source = .postgres(cells)
            return try cell.decode(Column.self)
        case .sql(let row):
            return try row.decode(column: name, as: Column.self)
        case .sqlite(let statement, let index, let checkingNames):
            let column = SQLiteColumn(statement: statement, index: index)
            if checkingNames, column.name != name { throw MissingColumn(name: name) }
            source = .sqlite(statement, next: index + 1, checkingNames: checkingNames)
            let data = column.data
            guard let value = Column.read(sqlite: data) else {
                throw DecodingError.typeMismatch(
                    Column.self, .init(codingPath: [], debugDescription: "Could not convert SQLite data to \(Column.self): \(data)."))
            }
            return value
        }
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
                    var columns = ColumnReader(source: .postgres(row.makeIterator()))
                    return try Row(reading: &columns)
                }
            }
        }
        if let rows = try inlineReader(for: statement)?.rows(statement, as: Row.self) {
            return rows
        }
        return try await all(statement).map { row in
            var columns = ColumnReader(source: .sql(row))
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
