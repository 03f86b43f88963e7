import FluentKit
import FluentPostgresDriver
import FluentSQL
import Foundation

/// A column type both databases read without `Codable`'s keyed containers.
public protocol PreparedColumn: PostgresDecodable, Decodable, Sendable {}

extension String: PreparedColumn {}
extension Int: PreparedColumn {}
extension Bool: PreparedColumn {}
extension Date: PreparedColumn {}
extension Double: PreparedColumn {}
extension RowID: PreparedColumn {}
extension Optional: PreparedColumn where Wrapped: PreparedColumn, Wrapped._DecodableType == Wrapped {}

/// A row a prepared statement returns, read column by column in the
/// statement's order. Reading a members page through `Decodable` cost a third
/// of its CPU on PostgreSQL (keyed containers, a lookup per column by name, a
/// dynamic cast per value); this reads PostgreSQL's cells in order, typed.
public protocol PreparedRow: Sendable {
    init(reading columns: inout ColumnReader) throws
}

/// The columns of one row, in order. SQLite's rows are read by name (SQLKit
/// does not hand out its rows' cells); the names must be the statement's.
public struct ColumnReader {
    fileprivate enum Source {
        case postgres(PostgresRow.Iterator)
        case sql(any SQLRow)
    }

    fileprivate var source: Source

    /// The next column, which the statement names `name`.
    public mutating func next<Column: PreparedColumn>(_ name: String, as type: Column.Type = Column.self) throws -> Column {
        switch source {
        case .postgres(var cells):
            guard let cell = cells.next() else { throw MissingColumn(name: name) }
            source = .postgres(cells)
            return try cell.decode(Column.self)
        case .sql(let row):
            return try row.decode(column: name, as: Column.self)
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
        return try await all(statement).map { row in
            var columns = ColumnReader(source: .sql(row))
            return try Row(reading: &columns)
        }
    }

    /// The first row the statement returns, if any, read as `Row`.
    public func first<Row: PreparedRow>(_ statement: some PreparedStatement, as type: Row.Type) async throws -> Row? {
        try await all(statement, as: type).first
    }
}
