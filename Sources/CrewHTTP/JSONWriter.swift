import CrewCore
import Foundation
import Hummingbird
import NIOCore

/// An answer that writes its own JSON, byte for byte what `responseEncoder`
/// would write (keys sorted, dates as ISO 8601 seconds, slashes unescaped);
/// `JSONWriterTests` compare the two. For the lists a client pages through:
/// Foundation's `JSONEncoder` builds a dictionary per object and sorts its keys,
/// and was a fifth of the CPU of a members page in profiles (bench/NOTES.md).
public protocol JSONWritable {
    /// Writes the value; an object writes its keys in sorted order.
    func write(to json: inout JSONWriter)
}

/// Appends JSON to an array of bytes, copied into a `ByteBuffer` once at the
/// end: writing each byte into the `ByteBuffer` itself checked its capacity,
/// uniqueness and exclusive access every time, two thirds of the writer's
/// cost for a members page. Callers write keys in sorted order.
public struct JSONWriter {
    private var bytes: [UInt8]
    /// Whether the next value or key follows another in the same object or array.
    private var needsComma = false

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// What has been written.
    public var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    public mutating func objectStart() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func objectEnd() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func arrayStart() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func arrayEnd() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// An object's key (plain ASCII, never escaped); the value follows.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        write(name)
        write("\":")
        needsComma = false
    }

    public mutating func string(_ text: String) {
        separate()
        JSONText.appendQuoted(text, to: &bytes)
        needsComma = true
    }

    public mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        if value { write("true") } else { write("false") }
        needsComma = true
    }

    public mutating func int(_ value: Int) {
        separate()
        write(utf8: String(value))
        needsComma = true
    }

    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    public mutating func date(_ value: Date?) {
        if let value { date(value) } else { null() }
    }

    public mutating func null() {
        separate()
        write("null")
        needsComma = true
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, the fraction dropped (as Foundation's `.iso8601`).
    public mutating func date(_ date: Date) {
        separate()
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, offset) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, dayOfMonth) = Self.civil(daysSince1970: day)
        bytes.append(UInt8(ascii: "\""))
        write(utf8: year < 1000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year))
        writeTwoDigits(month, after: "-")
        writeTwoDigits(dayOfMonth, after: "-")
        writeTwoDigits(offset / 3600, after: "T")
        writeTwoDigits(offset % 3600 / 60, after: ":")
        writeTwoDigits(offset % 60, after: ":")
        write("Z\"")
        needsComma = true
    }

    public mutating func strings(_ texts: [String]) {
        arrayStart()
        for text in texts { string(text) }
        arrayEnd()
    }

    public mutating func value(_ value: some JSONWritable) {
        value.write(to: &self)
        needsComma = true
    }

    private mutating func write(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func write(utf8 text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func writeTwoDigits(_ value: Int, after separator: Unicode.Scalar) {
        bytes.append(UInt8(ascii: separator))
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10))
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// Year, month and day of a day count since 1970-01-01 in the proleptic
    /// Gregorian calendar (the "civil from days" algorithm: 400-year eras of
    /// 146,097 days, years starting in March so the leap day comes last).
    static func civil(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension JSONWritable {
    /// The JSON answer, without going through `JSONEncoder`.
    public func jsonResponse(status: HTTPResponse.Status = .ok) -> Response {
        JSONWriter.response(jsonBody(), status: status)
    }

    /// The encoded value alone.
    public func jsonBody() -> ByteBuffer {
        var json = JSONWriter()
        json.value(self)
        return json.buffer
    }
}

extension JSONWriter {
    /// An answer whose body is JSON already encoded.
    public static func response(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes)],
            body: .init(byteBuffer: body))
    }
}
