import FluentKit
import Foundation

/// The failed-log-in counts (`login_guards`) and password reset tokens
/// (`password_resets`), in statements every process shares. Counts move in
/// one statement each, so concurrent failures from several processes are all
/// counted.
public enum SignInGuardStore {
    /// The failures in a row counted for `email`.
    public struct Count: Sendable, Equatable {
        /// No attempt is checked before this time (nil: none is waited for).
        public var lockedUntil: Date?
    }

    /// The count of `email`; nil when it has no failures (nothing to clear).
    public static func count(_ email: String, on db: any Database) async throws -> Count? {
        try await db.first(LockOf(email: email), as: LockRow.self).map { Count(lockedUntil: $0.locked_until) }
    }

    /// Counts one failure for `email` at `now`; returns the failures in a row,
    /// this one included.
    public static func countFailure(_ email: String, at now: Date, on db: any Database) async throws -> Int {
        guard let row = try await db.first(CountFailure(id: UUID(), email: email, now: now), as: FailuresRow.self) else {
            throw NoRowReturned(statement: "counting a failed log-in")
        }
        return row.failures
    }

    /// No attempt for `email` is checked before `until` (a later lock already
    /// set by another process stays).
    public static func lock(_ email: String, until: Date, on db: any Database) async throws {
        try await db.run(Lock(email: email, until: until))
    }

    /// Starts the count for `email` again (a log-in succeeded, or the password was reset).
    public static func clear(_ email: String, on db: any Database) async throws {
        try await db.run(Clear(email: email))
    }

    // MARK: Password resets

    /// Stores a new reset token for the user; their earlier unused ones end.
    public static func addReset(userID: UUID, tokenHash: String, at now: Date, expiresAt: Date, on db: any Database) async throws {
        try await db.run(EndResets(userID: userID, now: now))
        try await PasswordResetModel(userID: userID, tokenHash: tokenHash, createdAt: now, expiresAt: expiresAt).create(on: db)
    }

    /// Marks the token used and returns its user, if it is unused and not
    /// expired; one statement, so a token is used once even by two racing requests.
    public static func useReset(tokenHash: String, at now: Date, on db: any Database) async throws -> UUID? {
        try await db.first(UseReset(tokenHash: tokenHash, now: now), as: ResetUserRow.self)?.user_id.uuid
    }

    // MARK: Statements

    private struct LockOf: PreparedStatement {
        static let sql = "SELECT locked_until FROM \(LoginGuardModel.schema) WHERE email = $1"
        let email: String
        var values: [any PreparedValue] { [email] }
    }

    private struct CountFailure: PreparedStatement {
        static let sql = """
            INSERT INTO \(LoginGuardModel.schema) (id, email, failures, updated_at) VALUES ($1, $2, 1, $3)
            ON CONFLICT (email) DO UPDATE SET failures = \(LoginGuardModel.schema).failures + 1, updated_at = $3
            RETURNING failures
            """
        let id: UUID
        let email: String
        let now: Date
        var values: [any PreparedValue] { [id, email, now] }
    }

    private struct Lock: PreparedStatement {
        static let sql = """
            UPDATE \(LoginGuardModel.schema) SET locked_until = $2
            WHERE email = $1 AND (locked_until IS NULL OR locked_until < $2)
            """
        let email: String
        let until: Date
        var values: [any PreparedValue] { [email, until] }
    }

    private struct Clear: PreparedStatement {
        static let sql = "DELETE FROM \(LoginGuardModel.schema) WHERE email = $1"
        let email: String
        var values: [any PreparedValue] { [email] }
    }

    private struct EndResets: PreparedStatement {
        static let sql = "UPDATE \(PasswordResetModel.schema) SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL"
        let userID: UUID
        let now: Date
        var values: [any PreparedValue] { [userID, now] }
    }

    private struct UseReset: PreparedStatement {
        static let sql = """
            UPDATE \(PasswordResetModel.schema) SET used_at = $2
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
            RETURNING user_id
            """
        let tokenHash: String
        let now: Date
        var values: [any PreparedValue] { [tokenHash, now] }
    }

    private struct LockRow: PreparedRow {
        var locked_until: Date?
        init(reading columns: inout ColumnReader) throws { locked_until = try columns.next("locked_until") }
    }

    private struct FailuresRow: PreparedRow {
        var failures: Int
        init(reading columns: inout ColumnReader) throws { failures = try columns.next("failures") }
    }

    private struct ResetUserRow: PreparedRow {
        var user_id: RowID
        init(reading columns: inout ColumnReader) throws { user_id = try columns.next("user_id") }
    }
}

/// An `INSERT … RETURNING` answered no row (the database broke its promise).
public struct NoRowReturned: Error, CustomStringConvertible {
    public var statement: String
    public var description: String { "\(statement) returned no row" }
}
