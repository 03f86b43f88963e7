import Foundation

/// The content of a post as people write it, validated (422 with one error per field).
public struct PostContent: Sendable, Equatable {
    public static let maxTextLength = 5_000
    public static let maxMedia = 10

    public var text: String
    public var link: String?
    public var mediaURLs: [String]

    public init(text: String, link: String?, mediaURLs: [String]) throws(DomainError) {
        var errors: [FieldError] = []
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            errors.append(FieldError(field: "text", message: "must not be empty"))
        } else if trimmed.count > Self.maxTextLength {
            errors.append(FieldError(field: "text", message: "must be at most \(Self.maxTextLength) characters"))
        }
        let link = link.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        if let link, !Self.isWebAddress(link) {
            errors.append(FieldError(field: "link", message: "must be an http(s) address"))
        }
        if mediaURLs.count > Self.maxMedia {
            errors.append(FieldError(field: "mediaUrls", message: "at most \(Self.maxMedia) media per post"))
        } else if let bad = mediaURLs.firstIndex(where: { !Self.isWebAddress($0) }) {
            errors.append(FieldError(field: "mediaUrls[\(bad)]", message: "must be an http(s) address"))
        }
        guard errors.isEmpty else { throw .validationFailed(errors) }
        self.text = trimmed
        self.link = link
        self.mediaURLs = mediaURLs
    }

    static func isWebAddress(_ text: String) -> Bool {
        guard text.count <= 2_000, let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return false
        }
        return scheme == "http" || scheme == "https"
    }

    /// What the platform receives: the text, with the link on its own line.
    public static func publishedText(_ text: String, link: String?) -> String {
        link.map { text.contains($0) ? text : text + "\n\n" + $0 } ?? text
    }
}

/// When a post goes out: an instant, and the time zone it was planned in (for
/// showing it the way its author meant it).
public struct PostSchedule: Sendable, Equatable {
    public var at: Date
    public var timeZone: String

    /// - Throws: 422 for a time not in the future or an unknown time zone.
    public init(at: Date, timeZone: String, now: Date) throws(DomainError) {
        var errors: [FieldError] = []
        if at <= now {
            errors.append(FieldError(field: "scheduledAt", message: "must be in the future"))
        }
        if TimeZone(identifier: timeZone) == nil {
            errors.append(FieldError(field: "timeZone", message: "must be an IANA time zone such as Europe/Berlin"))
        }
        guard errors.isEmpty else { throw .validationFailed(errors) }
        // Whole milliseconds, so the list's keyset cursor finds the stored time again.
        self.at = at.wholeMilliseconds
        self.timeZone = timeZone
    }

    /// Reads a local date-time (`2026-12-01T09:30`) in a time zone, as the composer sends it.
    public static func instant(local text: String, timeZone: String) -> Date? {
        guard let zone = TimeZone(identifier: timeZone) else { return nil }
        let parts = text.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 5 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute) = (parts[0], parts[1], parts[2], parts[3], parts[4])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: components)
    }
}
