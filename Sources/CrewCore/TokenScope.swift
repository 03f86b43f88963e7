/// What a personal access token may do, on top of what its person may: read
/// only, or read and write. A token never does more than its person may.
public enum TokenScope: String, Codable, Sendable, CaseIterable {
    case read
    case readWrite = "read_write"

    /// Whether a request with this HTTP method is within the scope.
    public func allows(method: String) -> Bool {
        switch self {
        case .readWrite: true
        case .read: ["GET", "HEAD", "OPTIONS"].contains(method.uppercased())
        }
    }

    public static func parse(_ text: String?) throws(DomainError) -> TokenScope {
        guard let text else { return .readWrite }
        guard let scope = TokenScope(rawValue: text) else {
            throw .invalid("scope", "unknown scope '\(text.prefix(40))'; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return scope
    }
}
