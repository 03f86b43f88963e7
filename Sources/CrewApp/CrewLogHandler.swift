import Foundation
import Logging

/// One line per log event on standard output, as swift-log's
/// `StreamLogHandler` writes it (`time level label: key=value … [source] message`),
/// but with the metadata formatted only when a line is written.
///
/// `StreamLogHandler` formats its whole metadata each time a key is set, and
/// Hummingbird sets the request id on every request's logger: 3 % of a short
/// request's CPU (bench/NOTES.md §23), for lines that mostly stay below the level.
public struct CrewLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let write: @Sendable (String) -> Void

    /// - Parameter write: where whole lines go (standard output unless a test listens).
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        write: @escaping @Sendable (String) -> Void = CrewLogHandler.standardOutput
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        let fields = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Self.timestamp()) \(event.level) \(label):\(fields) [\(event.source)] \(event.message)\n"
        write(line)
    }

    /// Whole lines under one lock, so lines of concurrent requests never interleave.
    private static let output = NSLock()

    public static func standardOutput(_ line: String) {
        output.lock()
        defer { output.unlock() }
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    /// `2026-12-01T20:42:39+0000`, in UTC.
    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [Int8](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
