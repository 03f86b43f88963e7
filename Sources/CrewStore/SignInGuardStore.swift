import FluentKit
import Foundation

/// The failed-log-in counts (`login_guards`) and password reset tokens
/// (`password_resets`), in statements every process shares: counts move in
/// one statement each, so concurrent attempts from several processes are all
/// counted.
public enum SignInGuardStore {
    /// What `enter` decided about one attempt.
    public enum Entry: Sendable, Equatable {
        /// The attempt may be checked; `failures` counts it already (as if it
        /// failed), so concurrent attempts see it before its password is checked.
        case admitted(failures: Int)
        /// No attempt is checked before `until`.
        case waiting(until: Date)
    }

    /// Counts an attempt for `email` up front, unless it must wait, and sets
    /// the wait its count calls for (`waitAfter`) in the same transaction: a
    /// flood of concurrent attempts gets exactly as many password checks as
    /// the brake allows, never one per attempt already in flight.
    public static func enter(
        _ email: String, at now: Date, waitAfter: @escaping @Sendable (Int) -> TimeInterval, on db: any Database
    ) async throws -> Entry {
        // A flood at a locked email is refused by this read alone (no write).
        if let until = try await db.first(LockOf(email: email), as: LockRow.self)?.locked_until, until > now {
            return .waiting(until: until)
        }
        return try await db.writeTransaction { tx in
            // PostgreSQL re-checks the WHERE on the row a concurrent attempt
            // just committed; SQLite has one writer at a time.
            guard let row = try await tx.first(CountAttempt(id: UUID(), email: email, now: now), as: FailuresRow.self) else {
                let until = try await tx.first(LockOf(email: email), as: LockRow.self)?.locked_until
                return .waiting(until: until ?? now.addingTimeInterval(1))
            }
            let wait = waitAfter(row.failures)
            if wait > 0 { try await tx.run(Lock(email: email, until: now.addingTimeInterval(wait))) }
            return .admitted(failures: row.failures)
        }
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

    /// One more attempt, unless the email waits (then no row comes back).
    private struct CountAttempt: PreparedStatement {
        static let sql = """
            INSERT INTO \(LoginGuardModel.schema) (id, email, failures, updated_at) VALUES ($1, $2, 1, $3)
            ON CONFLICT (email) DO UPDATE SET failures = \(LoginGuardModel.schema).failures + 1, updated_at = $3
            WHERE \(LoginGuardModel.schema).locked_until IS NULL OR \(LoginGuardModel.schema).locked_until <= $3
            RETURNING failures
            """
        let id: UUID
        let email: String
        let now: Date
        var values: [any PreparedValue] { [id, email, now] }
    }

    private struct Lock: PreparedStatement {
        static let sql = "UPDATE \(LoginGuardModel.schema) SET locked_until = $2 WHERE email = $1"
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
