import Foundation

/// Access that ends by itself: a member, an invitation or the invite link's
/// joiners may carry an `accessUntil`. Past it the member may do nothing in
/// the workspace (decided from the clock on every request, so no job has to
/// run first); the sweeper then removes them like any removal, and a notice
/// goes out `noticeLead` before.
public enum AccessExpiry {
    /// How long before the end the member is told.
    public static let noticeLead: TimeInterval = 3 * 86_400
    /// The longest access the invite link may give its joiners, in days.
    public static let longestLinkDays = 3_650

    /// Whether access with this end is over at `now` (no end: never).
    public static func hasEnded(_ accessUntil: Date?, at now: Date) -> Bool {
        accessUntil.map { $0 <= now } ?? false
    }

    /// An end someone sets: it must lie ahead, and the owner's access never ends.
    public static func validEnd(_ accessUntil: Date, now: Date, for role: Role? = nil, field: String = "accessUntil") throws(DomainError) -> Date {
        guard accessUntil > now else { throw DomainError.invalid(field, "must be in the future") }
        if role == .owner { throw DomainError.invalid(field, "the owner's access never ends") }
        return accessUntil.wholeMilliseconds
    }

    /// Days of access the link gives: 1 to `longestLinkDays`.
    public static func validLinkDays(_ days: Int) throws(DomainError) -> Int {
        guard (1...longestLinkDays).contains(days) else {
            throw DomainError.invalid("accessDays", "must be between 1 and \(longestLinkDays)")
        }
        return days
    }

    /// When a person who joins through the link at `joinedAt` loses access.
    public static func end(joinedAt: Date, linkDays days: Int?) -> Date? {
        days.map { joinedAt.addingTimeInterval(TimeInterval($0) * 86_400) }
    }
}
