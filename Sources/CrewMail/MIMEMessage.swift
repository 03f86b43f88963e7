import Foundation

/// One email as it goes on the wire (RFC 5322 + MIME): a multipart/alternative
/// message with a plain-text and an HTML part, UTF-8 throughout. Header values
/// that are not plain printable ASCII are sent as RFC 2047 encoded words, so
/// no value can ever break out of its header line.
public struct MIMEMessage: Sendable, Equatable {
    public struct Mailbox: Sendable, Equatable {
        public var name: String?
        public var address: String

        public init(name: String? = nil, address: String) {
            self.name = name
            self.address = address
        }

        /// `"Name" <address>` with the name encoded when needed.
        var header: String {
            guard let name, !name.isEmpty else { return "<\(address)>" }
            if MIMEMessage.isPlainASCII(name), !name.contains(where: { "\"\\()<>[]:;@,.".contains($0) }) {
                return "\(name) <\(address)>"
            }
            if MIMEMessage.isPlainASCII(name) {
                return "\"\(name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\" <\(address)>"
            }
            // Folded so every line stays within 78 characters.
            return "\(MIMEMessage.encodedWords(name))\r\n <\(address)>"
        }
    }

    public var from: Mailbox
    public var to: Mailbox
    public var subject: String
    public var text: String
    public var html: String
    public var date: Date
    /// Unique per message; also what the delivery log records.
    public var messageID: String

    public init(from: Mailbox, to: Mailbox, subject: String, text: String, html: String, date: Date, messageID: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID
    }

    /// A fresh `Message-ID` under the sender's domain.
    public static func makeMessageID(from address: String) -> String {
        let domain = address.split(separator: "@").last.map(String.init) ?? "crew.invalid"
        return "<\(UUID().uuidString.lowercased())@\(domain)>"
    }

    /// The message with CRLF line endings, ready for DATA (before dot-stuffing).
    public func rendered() -> String {
        let boundary = "crew-alt-" + String(messageID.filter { $0.isLetter || $0.isNumber }.prefix(32))
        var lines = [
            "From: \(from.header)",
            "To: \(to.header)",
            "Subject: \(Self.headerText(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "This is a multi-part message in MIME format.",
        ]
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines += [
                "--\(boundary)",
                "Content-Type: \(type); charset=utf-8",
                "Content-Transfer-Encoding: base64",
                "",
            ]
            lines += Self.base64Lines(body)
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// DATA's payload: lines starting with a dot get a second one (RFC 5321 §4.5.2),
    /// and the terminating `.` line.
    public static func dotStuffed(_ rendered: String) -> String {
        // "\r\n" is one Character in Swift: trim it as bytes.
        let body = rendered.hasSuffix("\r\n") ? String(decoding: rendered.utf8.dropLast(2), as: UTF8.self) : rendered
        let stuffed = body.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }
        return stuffed.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    // MARK: Encoding

    static func isPlainASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    /// A header value: as is when it is printable ASCII, else encoded words.
    static func headerText(_ text: String) -> String {
        isPlainASCII(text) && text.count <= 900 ? text : encodedWords(text)
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words of at most 75 characters, split between
    /// characters (never inside one), folded onto continuation lines.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk = ""
        for character in text {
            // 39 bytes of UTF-8 become 52 base64 characters: 64 with the wrapper,
            // which leaves room for the header's name on the first line.
            if chunk.utf8.count + String(character).utf8.count > 39 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        return stride(from: 0, to: encoded.count, by: 76).map { offset in
            let start = encoded.index(encoded.startIndex, offsetBy: offset)
            let end = encoded.index(start, offsetBy: min(76, encoded.count - offset))
            return String(encoded[start..<end])
        }
    }

    /// `Sun, 29 Nov 2026 14:05:09 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(
            format: "%@, %02d %@ %04d %02d:%02d:%02d +0000", days[c.weekday! - 1], c.day!, months[c.month! - 1], c.year!, c.hour!, c.minute!,
            c.second!)
    }
}
