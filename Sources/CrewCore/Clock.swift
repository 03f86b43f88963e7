import Foundation

/// The source of "now", injected so tests can move time (link and invitation expiry)
/// instead of sleeping.
public struct CrewClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    public var now: Date { read() }

    /// The system clock, truncated to milliseconds so stored and returned times agree.
    public static let live = CrewClock {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
