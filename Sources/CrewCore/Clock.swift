import Foundation

/// The source of "now", injected so tests can move time (link and invitation expiry)
/// instead of sleeping.
public struct CrewClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    public var now: Date { read() }

    /// The system clock in whole milliseconds, so stored and returned times agree.
    public static let live = CrewClock { Date().wholeMilliseconds }
}

extension Date {
    /// This time rounded to whole milliseconds, computed where `Date` keeps its value
    /// (seconds since 2001). SQLite stores seconds since 1970 and reads them back
    /// rounded to microseconds since 2001; only a time built this way comes back
    /// bit for bit, so a keyset cursor made from a read row finds that row again
    /// (a time truncated in 1970 seconds can come back one ulp apart).
    public var wholeMilliseconds: Date {
        Date(timeIntervalSinceReferenceDate: (timeIntervalSinceReferenceDate * 1000).rounded() / 1000)
    }

    /// The time as RFC 3339 in UTC (`2026-12-01T09:00:00Z`), as audit rows and mails show it.
    public var rfc3339: String { formatted(.iso8601) }
}
