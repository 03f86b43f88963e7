/// Where a social account's connection stands.
public enum AccountStatus: String, Codable, Sendable, CaseIterable {
    /// Tokens work; posts publish.
    case connected
    /// The platform stopped accepting the tokens; a person must reconnect.
    case needsReconnect = "needs_reconnect"
    /// Disconnected on purpose: credentials wiped, history kept, not counted
    /// against the plan's account limit.
    case disconnected

    /// Whether the account counts against the plan's social account limit.
    public var countsAgainstLimit: Bool { self != .disconnected }
}
