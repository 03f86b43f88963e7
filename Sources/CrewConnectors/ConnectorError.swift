import Foundation

/// How talking to a platform failed. Details never contain tokens, codes or
/// client secrets: they are shown to people and written to logs.
public enum ConnectorError: Error, Sendable, Equatable {
    /// The platform no longer accepts the grant (revoked, expired refresh token):
    /// the account needs to be reconnected by a person.
    case invalidGrant(String)
    /// The platform answered with an error status.
    case platformError(status: Int, detail: String)
    /// The platform did not answer within the configured time.
    case timeout(seconds: Int)
    /// The platform could not be reached at all.
    case unreachable(String)
    /// The platform answered with something that is not what its API promises.
    case malformedResponse(String)
    /// The connector does not implement this capability (yet).
    case unsupported(String)

    /// Whether trying again later may succeed: the platform was slow, away, or
    /// asked to slow down. Refusals of the content or the grant are final.
    public var isTransient: Bool {
        switch self {
        case .timeout, .unreachable: true
        case .platformError(let status, _): status == 429 || status >= 500
        case .invalidGrant, .malformedResponse, .unsupported: false
        }
    }

    /// A sentence for people, naming the platform.
    public func describe(platform: String) -> String {
        switch self {
        case .invalidGrant(let detail):
            "\(platform) no longer accepts this connection (\(detail)); reconnect the account."
        case .platformError(let status, let detail):
            "\(platform) refused the request (HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)"))."
        case .timeout(let seconds):
            "\(platform) did not answer within \(seconds) seconds; try again."
        case .unreachable(let detail):
            "\(platform) could not be reached (\(detail)); try again."
        case .malformedResponse(let detail):
            "\(platform) sent an answer Crew could not read (\(detail))."
        case .unsupported(let what):
            "Crew's \(platform) connector cannot \(what) yet."
        }
    }
}
