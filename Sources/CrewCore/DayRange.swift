import Foundation

/// A calendar day in UTC as the API writes it, `YYYY-MM-DD`, counted from 1970.
public struct Day: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let number: Int

    public init(number: Int) {
        self.number = number
    }

    public init(_ date: Date) {
        self.number = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            calendar.component(.day, from: date) == day
        else { return nil }
        self.init(date)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(number) * 86_400) }

    public var description: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    public func adding(_ days: Int) -> Day { Day(number: number + days) }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.number < rhs.number }
}

/// A report's date range, both ends included: at most 366 days, not reversed.
public struct DayRange: Sendable, Equatable {
    public static let maxDays = 366

    public let from: Day
    public let to: Day

    public init(from: Day, to: Day) throws(DomainError) {
        guard from <= to else { throw .invalid("to", "must not be before from") }
        guard to.number - from.number + 1 <= Self.maxDays else { throw .invalid("from", "the range may span at most \(Self.maxDays) days") }
        self.from = from
        self.to = to
    }

    /// Parses `?from=&to=`; missing ends default to the last 28 days up to `today`.
    public init(from: String?, to: String?, today: Day) throws(DomainError) {
        let end = try to.map { text throws(DomainError) in
            guard let day = Day(text) else { throw .invalid("to", "must be a date as YYYY-MM-DD") }
            return day
        } ?? today
        let start = try from.map { text throws(DomainError) in
            guard let day = Day(text) else { throw .invalid("from", "must be a date as YYYY-MM-DD") }
            return day
        } ?? end.adding(-27)
        try self.init(from: start, to: end)
    }

    public var count: Int { to.number - from.number + 1 }
    public var days: [Day] { (from.number...to.number).map(Day.init(number:)) }

    /// The same number of days just before this range, for "change against the previous period".
    public var previous: DayRange {
        // Never throws: same length, not reversed.
        try! DayRange(from: from.adding(-count), to: from.adding(-1))
    }
}
