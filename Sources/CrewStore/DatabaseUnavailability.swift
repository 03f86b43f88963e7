import AsyncKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation

/// Tells failures of the database *being unavailable* (no free connection in
/// time, connection lost, server shutting down, SQLite busy) from everything
/// else, so requests answer 503 with a retry hint instead of a 500.
public enum DatabaseUnavailability {
    public static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case is ConnectionPoolTimeoutError, is ConnectionPoolError:
            return true
        case let error as PSQLError:
            if error.code == .server {
                // Class 08: connection exception; 53: insufficient resources; 57P: operator intervention.
                let state = error.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P")
            }
            return [.serverClosedConnection, .clientClosedConnection, .connectionError, .poolClosed, .uncleanShutdown].contains(error.code)
        case let error as SQLiteError:
            return [.busy, .locked, .busyInRecovery, .busyInSnapshot, .busyTimeout, .lockedBySharedCache].contains(error.reason)
        default:
            return false
        }
    }
}
