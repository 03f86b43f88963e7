import CrewCore
import CrewStore
import Foundation

/// A social account as the API shows it (API.md: `{id,platform,name,status,connectedBy}`).
public struct SocialAccountView: Codable, Sendable, Equatable {
    public var id: String
    public var platform: String
    public var name: String
    public var status: String
    /// Why the account needs attention (for `needs_reconnect`).
    public var statusDetail: String?
    /// Who connected it (as the caller may see them); `null` for accounts
    /// added by the operator.
    public var connectedBy: PersonRef?
    public var connectedAt: Date
    public var externalId: String?

    init(_ row: SocialAccountModel, connectedBy: PersonRef?) {
        self.id = row.id!.apiString
        self.platform = row.platform
        self.name = row.name
        self.status = row.statusText
        self.statusDetail = row.statusDetail
        self.connectedBy = connectedBy
        self.connectedAt = row.createdAt
        self.externalId = row.externalID
    }
}

/// One platform as the "Connect account" control offers it to the caller.
public struct PlatformOption: Codable, Sendable, Equatable {
    public var platform: String
    /// The operator configured it (the sandbox always is).
    public var available: Bool
    /// The caller may connect from it (clients: only their allowed platforms).
    public var allowed: Bool
}

/// `POST accounts/connect` answer: where to send the person's browser.
public struct AuthorizationStart: Codable, Sendable, Equatable {
    public var authorizeUrl: String
}

/// What a finished OAuth round trip did, for the page the person lands on.
public struct ConnectionResult: Sendable, Equatable {
    public var workspaceID: UUID
    public var connected: [String]
    public var reconnected: [String]
    /// The person denied access at the platform: nothing was written.
    public var denied: Bool

    /// A sentence for the accounts page.
    public var summary: String {
        if denied { return "Authorization was denied at the platform; nothing was connected." }
        var parts: [String] = []
        if !connected.isEmpty { parts.append("Connected \(connected.joined(separator: ", "))") }
        if !reconnected.isEmpty { parts.append("Reconnected \(reconnected.joined(separator: ", "))") }
        return parts.joined(separator: "; ") + "."
    }
}
