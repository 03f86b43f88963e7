import CrewCore
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation

/// A UUID column of a plain row (`sql.raw(…).all(decoding:)`). SQLite keeps ids
/// as text, and SQLiteNIO parses them with Foundation's `UUID(uuidString:)`,
/// whose `sscanf` was 6 % of the CPU of a members page in profiles; this parses
/// the text by hand. PostgreSQL's binary uuid decodes as before.
public struct RowID: Hashable, Sendable, Decodable, SQLiteDataConvertible, PostgresDecodable {
    public let uuid: UUID

    public init?(sqliteData: SQLiteData) {
        guard case .text(let text) = sqliteData, let uuid = UUID(parsing: text) else { return nil }
        self.uuid = uuid
    }

    public var sqliteData: SQLiteData? { .text(uuid.uuidString) }

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        uuid = try UUID(from: &buffer, type: type, format: format, context: context)
    }

    public init(from decoder: any Decoder) throws {
        uuid = try decoder.singleValueContainer().decode(UUID.self)
    }
}
