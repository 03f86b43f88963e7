import Foundation

/// The end of access as the web forms and CSV imports take it: a day
/// (`<input type="date">`, `2026-12-31`), meaning access through the end of
/// that day, UTC. The JSON API takes exact times.
public enum AccessEndField {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The end for a form's `YYYY-MM-DD` (the start of the next day, UTC); nil
    /// for an empty field.
    public static func parse(_ text: String?, field: String = "accessUntil") throws(DomainError) -> Date? {
        let text = text?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !text.isEmpty else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3,
            let day = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            // The calendar would roll 2026-02-31 over into March: refuse it instead.
            calendar.dateComponents([.year, .month, .day], from: day) == DateComponents(year: parts[0], month: parts[1], day: parts[2]),
            let next = calendar.date(byAdding: .day, value: 1, to: day)
        else { throw DomainError.invalid(field, "must be a date such as 2026-12-31") }
        return next
    }

    /// The last day of access, as the date field shows it (`YYYY-MM-DD`).
    public static func dayText(_ end: Date?) -> String {
        guard let end else { return "" }
        let c = calendar.dateComponents([.year, .month, .day], from: end.addingTimeInterval(-0.001))
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// What the members table says of a member's end: nothing, "until …", or "ended".
    public static func statusText(_ end: Date?, now: Date) -> String {
        guard let end else { return "" }
        return AccessExpiry.hasEnded(end, at: now) ? "ended" : "until \(dayText(end))"
    }
}
