import CrewCore
import Foundation

/// The signed-in person behind a request, and how they proved it.
public struct Identity: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        /// A login session (from the cookie or as a bearer token).
        case session(id: UUID)
        /// A personal access token, with what it is limited to.
        case apiToken(id: UUID, scope: TokenScope, workspaceID: UUID?)
    }

    public var userID: UUID
    public var email: String
    public var name: String
    public var credential: Credential
    /// The SHA-256 of the presented token, from which the CSRF token is derived.
    public var tokenHash: String

    public init(userID: UUID, email: String, name: String, credential: Credential, tokenHash: String) {
        self.userID = userID
        self.email = email
        self.name = name
        self.credential = credential
        self.tokenHash = tokenHash
    }

    /// The one workspace a personal access token is limited to (nil: any).
    public var tokenWorkspace: UUID? {
        if case .apiToken(_, _, let workspaceID) = credential { workspaceID } else { nil }
    }

    /// Whether this credential may make a request with `method`.
    public func allows(method: String) -> Bool {
        if case .apiToken(_, let scope, _) = credential { scope.allows(method: method) } else { true }
    }

    /// A login session (not a personal access token).
    public var isSession: Bool {
        if case .session = credential { true } else { false }
    }
}
