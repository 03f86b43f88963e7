import FluentKit
import FluentPostgresDriver

extension Database {
    /// Whether this handle is PostgreSQL's, for the statements only it runs.
    public var isPostgres: Bool { self is any PostgresDatabase }
}

public enum DatabaseErrors {
    /// Whether a PostgreSQL statement failed on a unique index (SQLSTATE 23505).
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, error.code == .server else { return false }
        return error.serverInfo?[.sqlState] == "23505"
    }
}
