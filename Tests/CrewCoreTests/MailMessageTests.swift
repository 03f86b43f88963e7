import CrewMail
import Foundation
import Testing

@Suite struct MailMessageTests {
    static let message = MIMEMessage(
        from: .init(name: "Crew at Café Ümlaut", address: "crew@agency.example"), to: .init(address: "zoe@example.com"),
        subject: "Dana invited you to Café Ümlaut — a very long workspace name that needs more than one encoded word",
        text: "Hello\n.hidden line\nAccept: https://crew.example/accept?token=abc", html: "<p>Hello <b>Zoë</b></p>",
        date: Date(timeIntervalSince1970: 1_796_000_000), messageID: "<1234@agency.example>")

    func decodeWords(_ header: String) -> String {
        header.components(separatedBy: "\r\n ").map { word -> String in
            let inner = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(inner)) ?? Data(), as: UTF8.self)
        }.joined()
    }

    func header(_ name: String, in rendered: String) -> String {
        let lines = rendered.components(separatedBy: "\r\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix(name + ": ") }) else { return "" }
        var value = String(lines[start].dropFirst(name.count + 2))
        var next = start + 1
        while next < lines.count, lines[next].hasPrefix(" ") {
            value += "\r\n" + lines[next]
            next += 1
        }
        return value
    }

    @Test func headersAreASCIIWithEncodedWordsAndLinesStayShort() {
        let rendered = Self.message.rendered()
        for line in rendered.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "\(line)")
            #expect(line.unicodeScalars.allSatisfy { $0.isASCII }, "\(line)")
        }
        let subject = header("Subject", in: rendered)
        #expect(subject.hasPrefix("=?UTF-8?B?"))
        #expect(decodeWords(subject) == Self.message.subject, "encoded words split between characters, never inside one")
        let from = header("From", in: rendered)
        #expect(from.hasSuffix("\r\n <crew@agency.example>"))
        #expect(decodeWords(String(decoding: from.utf8.dropLast("\r\n <crew@agency.example>".utf8.count), as: UTF8.self)) == "Crew at Café Ümlaut")
        #expect(header("Date", in: rendered) == "Mon, 30 Nov 2026 00:53:20 +0000")
        #expect(header("Message-ID", in: rendered) == "<1234@agency.example>")
        #expect(header("MIME-Version", in: rendered) == "1.0")
        #expect(header("Content-Type", in: rendered).hasPrefix("multipart/alternative; boundary=\"crew-alt-1234agencyexample\""))
    }

    @Test func bothPartsCarryTheirTextInUTF8() throws {
        let rendered = Self.message.rendered()
        let parts = rendered.components(separatedBy: "--crew-alt-1234agencyexample")
        #expect(parts.count == 4, "preamble, text, html, closing")
        for (part, type, body) in [(parts[1], "text/plain", Self.message.text), (parts[2], "text/html", Self.message.html)] {
            #expect(part.contains("Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
            let encoded = part.components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "\r\n", with: "")
            #expect(String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self) == body)
        }
        #expect(parts[3].hasPrefix("--\r\n"))
    }

    @Test func headerValuesCannotInjectHeaders() {
        var message = Self.message
        message.subject = "Hi\r\nBcc: victim@example.com"
        message.from = .init(name: "Evil\r\nBcc: x@y.z", address: "crew@agency.example")
        let rendered = message.rendered()
        #expect(!rendered.contains("\r\nBcc:"))
        let plain = MIMEMessage.Mailbox(name: "Dana O'Neil, Agency", address: "d@a.example")
        var quoted = Self.message
        quoted.from = plain
        #expect(quoted.rendered().contains("From: \"Dana O'Neil, Agency\" <d@a.example>\r\n"))
    }

    @Test func dataIsDotStuffedAndTerminated() {
        let stuffed = MIMEMessage.dotStuffed("a\r\n.b\r\n..c\r\n.\r\n")
        #expect(stuffed == "a\r\n..b\r\n...c\r\n..\r\n.\r\n")
    }

    @Test func smtpURLsAreReadWithTheirDefaults() throws {
        let starttls = try SMTPSettings.parse("smtp+starttls://mailer%40agency.example:p%40ss%3Aword@smtp.agency.example:2587?timeout=5&helo=crew.agency.example")
        #expect(starttls.security == .startTLS)
        #expect(starttls.host == "smtp.agency.example" && starttls.port == 2587)
        #expect(starttls.username == "mailer@agency.example" && starttls.password == "p@ss:word")
        #expect(starttls.timeoutSeconds == 5 && starttls.heloName == "crew.agency.example")
        #expect(!starttls.description.contains("p@ss"), "the password never shows")
        #expect(try SMTPSettings.parse("smtps://u:p@mail.example").port == 465)
        #expect(try SMTPSettings.parse("smtp://127.0.0.1").port == 25)
        #expect(try SMTPSettings.parse("smtp+starttls://mail.example").port == 587)
    }

    @Test(arguments: [
        "mail.example:25", "http://mail.example", "smtp://", "smtp://u@mail.example", "smtp://u:p@mail.example",
        "smtp+starttls://mail.example:0", "smtps://mail.example?timeout=0",
    ])
    func badSMTPURLsAreRefusedWithoutEchoingThem(url: String) {
        #expect(throws: SMTPSettings.Problem.self) { try SMTPSettings.parse(url) }
        do { _ = try SMTPSettings.parse(url) } catch { #expect(!error.message.contains(":p@")) }
    }
}
