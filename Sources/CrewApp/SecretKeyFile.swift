import CrewCore
import Foundation

/// The embedded default keeps its sealing key in `<data-dir>/secret.key`,
/// generated on first start with permissions 0600.
enum SecretKeyFile {
    static func loadOrCreate(dataDirectory: String) throws -> String {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = dataDirectory + "/secret.key"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let key = existing.trimmingWhitespace()
            do { _ = try SecretSealer(keyText: key) } catch {
                throw ConfigurationError("CREW_SECRET_KEY", "the key in \(path) is unreadable; restore it from a backup")
            }
            return key
        }
        let key = SecretSealer.generateKeyText()
        guard fileManager.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError("CREW_DATA_DIR", "cannot write \(path)")
        }
        return key
    }
}
