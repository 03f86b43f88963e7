import CrewCore
import CrewStore
import FluentKit
import Foundation

/// Personal access tokens: shown once, stored as SHA-256, each with a scope
/// (read, or read and write), optionally one workspace and an expiry. A token
/// acts as its person, within those limits; it never does more than they may.
extension AccountService {
    /// What a new token is limited to, as the request gave it.
    public struct TokenRequest: Sendable {
        public var name: String
        public var scope: String?
        public var workspaceId: String?
        public var expiresAt: Date?

        public init(name: String, scope: String? = nil, workspaceId: String? = nil, expiresAt: Date? = nil) {
            self.name = name
            self.scope = scope
            self.workspaceId = workspaceId
            self.expiresAt = expiresAt
        }
    }

    /// Makes a token. Only a signed-in session makes or revokes tokens, so a
    /// token limited to one workspace or to reading cannot mint a wider one.
    public func createAPIToken(_ request: TokenRequest, for identity: Identity, on db: any Database) async throws -> APITokenView {
        guard identity.isSession else { throw DomainError.forbidden("Access tokens are made and revoked when signed in, not with a token.") }
        var validator = FieldValidator()
        let name = validator.check { () throws(DomainError) in try AccountRules.validName(request.name) }
        let scope = validator.check { () throws(DomainError) in try TokenScope.parse(request.scope) }
        let workspaceID = validator.check { () throws(DomainError) -> UUID? in
            try request.workspaceId.map { text throws(DomainError) in
                guard let id = UUID(uuidString: text) else { throw DomainError.invalid("workspaceId", "is not a workspace id") }
                return id
            }
        }
        validator.check { () throws(DomainError) in
            if let expiresAt = request.expiresAt, expiresAt <= env.clock.now { throw DomainError.invalid("expiresAt", "must be in the future") }
        }
        try validator.finish()
        guard let name, let scope, let workspaceID else { preconditionFailure("finish() throws when a check failed") }
        if let workspaceID, try await MembershipModel.of(identity.userID, in: workspaceID, on: db) == nil {
            throw DomainError.invalid("workspaceId", "is not a workspace of yours")
        }
        let token = Self.apiTokenPrefix + SecureToken.generate()
        let row = APITokenModel(
            userID: identity.userID, name: name, tokenHash: SecureToken.hash(token), createdAt: env.clock.now, scope: scope.rawValue,
            workspaceID: workspaceID, expiresAt: request.expiresAt)
        try await row.create(on: db)
        return APITokenView(row, token: token)
    }

    /// The person's tokens that still work (not revoked, not expired), newest first.
    public func listAPITokens(for identity: Identity, on db: any Database) async throws -> [APITokenView] {
        let now = env.clock.now
        return try await APITokenModel.query(on: db)
            .filter(\.$userID == identity.userID).filter(\.$revokedAt == nil)
            .sort(\.$createdAt, .descending).all()
            .filter { $0.expiresAt.map { $0 > now } ?? true }
            .map { APITokenView($0) }
    }

    /// Revokes one of the person's own tokens; another person's token is "not found".
    public func revokeAPIToken(id: UUID, for identity: Identity, on db: any Database) async throws {
        guard identity.isSession else { throw DomainError.forbidden("Access tokens are made and revoked when signed in, not with a token.") }
        guard let row = try await APITokenModel.query(on: db)
            .filter(\.$id == id).filter(\.$userID == identity.userID).filter(\.$revokedAt == nil).first()
        else { throw DomainError.notFound("No such access token.") }
        row.revokedAt = env.clock.now
        try await row.update(on: db)
    }

    /// The person behind a token that is neither revoked nor expired.
    func authenticateAPIToken(_ token: String, on db: any Database) async throws -> Identity? {
        guard SecureToken.isWellFormed(token.dropFirst(Self.apiTokenPrefix.count)) else { return nil }
        let hash = SecureToken.hash(token)
        let now = env.clock.now
        guard let row = try await APITokenModel.query(on: db).filter(\.$tokenHash == hash).filter(\.$revokedAt == nil).first(),
            row.expiresAt.map({ $0 > now }) ?? true,
            let user = try await UserModel.find(row.userID, on: db)
        else { return nil }
        // Record use at most once a minute, so busy automation does not turn every read into a write.
        if row.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            row.lastUsedAt = now
            try await row.update(on: db)
        }
        return Identity(
            userID: row.userID, email: user.email, name: user.name,
            credential: .apiToken(id: row.id!, scope: TokenScope(rawValue: row.scope) ?? .read, workspaceID: row.workspaceID), tokenHash: hash)
    }
}
