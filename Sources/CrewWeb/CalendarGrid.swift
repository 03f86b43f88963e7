import CrewCore
import Foundation

/// The days a calendar page shows: whole weeks (Monday first) around a month,
/// or one week, with the posts of each day. Days are UTC days.
struct CalendarGrid {
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    /// Posts listed in one day's cell before "n more".
    static let perCell = 4

    struct Cell {
        var day: String
        var number: Int
        var inMonth: Bool
        var isToday: Bool
        var posts: [PostRow]
        var more: Int
        var hasMore: Bool
    }

    struct Week { var days: [Cell] }

    let view: String
    let anchor: Day
    let first: Day
    let last: Day
    let title: String
    let previous: Day
    let next: Day
    private let month: Int

    init(view: String, anchor: Day) {
        self.view = view
        self.anchor = anchor
        let calendar = Self.utc
        let parts = calendar.dateComponents([.year, .month, .day], from: anchor.date)
        month = parts.month!
        if view == "week" {
            first = Self.monday(onOrBefore: anchor)
            last = first.adding(6)
            title = "Week of \(first)"
            previous = anchor.adding(-7)
            next = anchor.adding(7)
        } else {
            let start = Day(calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: 1))!)
            let end = Day(calendar.date(byAdding: DateComponents(month: 1, day: -1), to: start.date)!)
            first = Self.monday(onOrBefore: start)
            last = Self.monday(onOrBefore: end).adding(6)
            title = start.date.formatted(.dateTime.month(.wide).year().locale(Locale(identifier: "en_US")))
            previous = Day(calendar.date(byAdding: .month, value: -1, to: start.date)!)
            next = Day(calendar.date(byAdding: .month, value: 1, to: start.date)!)
        }
    }

    func cells(with posts: [PostRow]) -> [Cell] {
        let byDay = Dictionary(grouping: posts, by: \.day)
        let today = Day(Date()).description
        return (first.number...last.number).map { number in
            let day = Day(number: number)
            let items = byDay[day.description] ?? []
            let parts = Self.utc.dateComponents([.day, .month], from: day.date)
            return Cell(
                day: day.description, number: parts.day!, inMonth: view == "week" || parts.month == month, isToday: day.description == today,
                posts: Array(items.prefix(Self.perCell)), more: max(0, items.count - Self.perCell), hasMore: items.count > Self.perCell)
        }
    }

    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }

    static func monday(onOrBefore day: Day) -> Day {
        // 1970-01-01 was a Thursday: day 0 → weekday index 3 (Monday = 0).
        let index = ((day.number % 7) + 7 + 3) % 7
        return day.adding(-index)
    }

    /// `2026-12-01 09:30` in the post's own time zone.
    static func localText(_ date: Date, zone: TimeZone) -> String {
        localInput(date, zone: zone).replacingOccurrences(of: "T", with: " ")
    }

    /// The value of a `datetime-local` input.
    static func localInput(_ date: Date, zone: TimeZone) -> String {
        var calendar = utc
        calendar.timeZone = zone
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", p.year!, p.month!, p.day!, p.hour!, p.minute!)
    }
}
