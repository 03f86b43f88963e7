import CrewCore
import Foundation
import Testing

@testable import CrewServices

/// The audit log writes its before/after objects by hand; readers decode them
/// with `JSONDecoder`, so any content must come back exactly.
@Suite struct AuditJSONTests {
    @Test func anyObjectOfStringsReadsBackAsWritten() throws {
        var random = SeededRandom(seed: 42)
        let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}", "\u{1F}", "\u{7F}", "é", "\u{2028}", "😀", "e\u{301}"]
        func text() -> String { (0..<random.next(below: 10)).map { _ in pieces[Int(random.next(below: UInt64(pieces.count)))] }.joined() }
        for _ in 0..<500 {
            var object: [String: String] = [:]
            for _ in 0..<random.next(below: 5) { object[text()] = text() }
            let written = AuditLog.json(object)
            #expect(try JSONDecoder().decode([String: String].self, from: Data(written.utf8)) == object, "\(written)")
        }
    }

    @Test func keysComeInOrderAndPlainTextAsItIs() {
        #expect(AuditLog.json(["role": "editor", "permissions": "a,b", "accountIds": ""]) == #"{"accountIds":"","permissions":"a,b","role":"editor"}"#)
        #expect(AuditLog.json([:]) == "{}")
        #expect(AuditLog.json(["k": "say \"hi\"\n\u{1}/"]) == #"{"k":"say \"hi\"\n\u0001/"}"#)
    }
}
