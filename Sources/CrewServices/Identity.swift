import CrewCore
import Foundation

/// The signed-in person behind a request, and how they proved it.
public struct Identity: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        /// A login session (from the cookie or as a bearer token).
        case session(id: UUID)
        /// A personal access token.
        case apiToken(id: UUID)
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
}
