import FluentKit
import FluentPostgresDriver

extension Database {
    /// A transaction, as Fluent's `transaction` runs it, but on PostgreSQL with
    /// `BEGIN` and `COMMIT` prepared too: Fluent sends them through SQLKit and
    /// PostgresKit, which was 7 % of a link join's CPU for the two statements.
    /// Inside a transaction, `work` runs in it at once.
    func preparedTransaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !inTransaction, self is any PostgresDatabase else { return try await transaction(work) }
        // The connection's database reports `inTransaction`, so transactions
        // begun inside `work` join this one, as with Fluent's.
        return try await withConnection { connection in
            try await connection.run(Begin())
            let result: T
            do {
                result = try await work(connection)
            } catch {
                try await connection.run(Rollback())
                throw error
            }
            try await connection.run(Commit())
            return result
        }
    }
}

private struct Begin: PreparedStatement {
    static let sql = "BEGIN"
    var values: [any PreparedValue] { [] }
}

private struct Commit: PreparedStatement {
    static let sql = "COMMIT"
    var values: [any PreparedValue] { [] }
}

private struct Rollback: PreparedStatement {
    static let sql = "ROLLBACK"
    var values: [any PreparedValue] { [] }
}
