import CrewCore
import CrewStore
import Foundation

/// A person as the API shows them.
public struct UserView: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var name: String

    init(_ model: UserModel) {
        self.id = model.id!.apiString
        self.email = model.email
        self.name = model.name
    }
}

/// `GET /me`: the person and the workspaces they belong to.
public struct MeView: Codable, Sendable, Equatable {
    public struct WorkspaceSummary: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var role: Role

        public init(id: String, name: String, role: Role) {
            (self.id, self.name, self.role) = (id, name, role)
        }
    }

    public var id: String
    public var email: String
    public var name: String
    public var workspaces: [WorkspaceSummary]

    public init(id: String, email: String, name: String, workspaces: [WorkspaceSummary]) {
        (self.id, self.email, self.name, self.workspaces) = (id, email, name, workspaces)
    }
}

/// A signed-in session or login answer: the bearer token and the person.
public struct AuthResult: Sendable {
    public var token: String
    public var user: UserView
    /// When the session ends, for the cookie's lifetime.
    public var expiresAt: Date
}

/// A personal access token as listed (the secret itself is shown only at creation).
public struct APITokenView: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    /// `read` or `read_write`.
    public var scope: TokenScope
    /// The one workspace the token reaches; absent: every workspace of its person.
    public var workspaceId: String?
    public var expiresAt: Date?
    /// Present only in the answer to creation.
    public var token: String?

    init(_ model: APITokenModel, token: String? = nil) {
        self.id = model.id!.apiString
        self.name = model.name
        self.createdAt = model.createdAt
        self.lastUsedAt = model.lastUsedAt
        self.scope = TokenScope(rawValue: model.scope) ?? .read
        self.workspaceId = model.workspaceID?.apiString
        self.expiresAt = model.expiresAt
        self.token = token
    }
}

/// A workspace as the API shows it, with its seat and account usage.
public struct WorkspaceView: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var plan: String
    public var seats: Usage
    public var accounts: Usage
    public var createdAt: Date
}
