import CrewApp
import Foundation
import Logging
import Synchronization
import Testing

/// The server's log lines: one line per event, metadata sorted, formatted
/// when written.
@Suite struct CrewLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    @Test func linesCarryLevelLabelSortedMetadataSourceAndMessage() throws {
        let output = Lines()
        var logger = Logger(label: "crew") { CrewLogHandler(label: $0, metadataProvider: nil, write: output.append) }
        logger.logLevel = .info
        for id in 0..<100 { logger[metadataKey: "request"] = "\(id)" }
        logger.debug("below the level")
        logger.warning("mail failed", error: Failure(), metadata: ["account": "a1", "attempt": "2"])
        let lines = output.lines.withLock { $0 }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.hasSuffix(" warning crew: account=a1 attempt=2 error=disk full request=99 [CrewAppTests] mail failed\n"), "\(line)")
        #expect(line.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000 .*\n/) != nil, "\(line)")
    }
}
