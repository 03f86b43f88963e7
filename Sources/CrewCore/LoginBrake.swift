import Foundation

/// How failed log-ins slow an account down and then lock it. Counted per
/// email address, known or not, so a lock never tells whether an account
/// exists; a successful log-in (or a password reset) starts the count again.
public enum LoginBrake {
    /// Failures in a row before the account is locked.
    public static let lockAfter = 5
    /// The first lock; each further failure doubles it.
    public static let firstLock: TimeInterval = 60
    /// No lock lasts longer.
    public static let longestLock: TimeInterval = 3_600

    /// How long no attempt is checked after `failures` failures in a row: none
    /// for the first two (typos), 1 and 2 seconds for the next, then a lock of a
    /// minute that doubles with every failure after it, up to an hour.
    public static func wait(afterFailures failures: Int) -> TimeInterval {
        switch failures {
        case ..<3: return 0
        case ..<lockAfter: return TimeInterval(1 << (failures - 3))
        default:
            let doublings = min(failures - lockAfter, 6)
            return min(firstLock * TimeInterval(1 << doublings), longestLock)
        }
    }

    /// Whether this failure is the one that locks the account for the first
    /// time in its run (the person is told once, not at every doubling).
    public static func locksFirst(_ failures: Int) -> Bool { failures == lockAfter }

    /// Whole seconds to send as `Retry-After` until `until` (at least 1).
    public static func retryAfter(until: Date, now: Date) -> Int {
        max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }
}
