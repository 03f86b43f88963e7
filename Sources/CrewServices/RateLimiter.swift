import CrewCore
import CrewStore
import Foundation

/// Fixed-window counters in the database, so every Crew process sees the same
/// count (a per-process limit would multiply with the number of processes).
public struct RateLimiter: Sendable {
    let clock: CrewClock

    public init(clock: CrewClock) {
        self.clock = clock
    }

    /// Whether `bucket` already used up `limit` in the current window; throws
    /// `rate_limited` with the seconds left when it did.
    public func check(_ bucket: String, limit: Int, window: TimeInterval, on db: any Database) async throws {
        let row = try await db.first(WindowCount(bucket: bucket, windowStart: windowStart(window)))
        try require(count: try row?.decode(column: "count", as: Int?.self) ?? 0, below: limit, window: window)
    }

    /// `countSQL` on its own, for a check that has no other statement to join.
    private struct WindowCount: PreparedStatement {
        static let sql = "SELECT \(RateLimiter.countSQL(bucket: "$1", windowStart: "$2")) AS count"
        let bucket: String
        let windowStart: Date
        var values: [any PreparedValue] { [bucket, windowStart] }
    }

    /// The current window's count of a bucket as a subquery (NULL when nothing
    /// was counted), for a prepared statement that folds the check into a
    /// statement it makes anyway: `bucket` and `windowStart` are its placeholders
    /// (bind `windowStart(_:)`); `require(count:below:window:)` then judges it.
    public static func countSQL(bucket: String, windowStart: String) -> String {
        "(SELECT count FROM rate_limits WHERE bucket = \(bucket) AND window_start = \(windowStart))"
    }

    /// Throws `rate_limited` when `count` has reached `limit` in the current window.
    public func require(count: Int, below limit: Int, window: TimeInterval) throws(DomainError) {
        guard count < limit else { throw .rateLimited(retryAfterSeconds: retryAfter(windowStart(window), window)) }
    }

    /// Counts one event in `bucket`.
    public func hit(_ bucket: String, window: TimeInterval, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let start = windowStart(window)
        try await sql.raw("""
            INSERT INTO rate_limits (id, bucket, window_start, count) VALUES (\(bind: UUID()), \(bind: bucket), \(bind: start), 1)
            ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1
            """).run()
    }

    /// The start of the window of `window` seconds that is running now.
    public func windowStart(_ window: TimeInterval) -> Date {
        Date(timeIntervalSince1970: (clock.now.timeIntervalSince1970 / window).rounded(.down) * window)
    }

    private func retryAfter(_ start: Date, _ window: TimeInterval) -> Int {
        max(1, Int((start.addingTimeInterval(window).timeIntervalSince(clock.now)).rounded(.up)))
    }
}
