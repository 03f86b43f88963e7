import CrewCore
import CrewStore
import FluentSQL
import Foundation
import Logging
import Synchronization

/// Sign-up, log-in, sessions and personal access tokens.
public struct AccountService: Sendable {
    /// Personal access tokens carry a prefix so they are recognisable in a leaked
    /// config file and are never looked up in the sessions table.
    public static let apiTokenPrefix = "crew_pat_"

    let env: CrewEnvironment
    let audit: AuditLog
    let decoyHash: DecoyHash
    let brakes: SignInBrakes

    public init(env: CrewEnvironment) {
        self.env = env
        self.audit = AuditLog(clock: env.clock)
        self.decoyHash = DecoyHash(hasher: env.passwordHasher)
        self.brakes = SignInBrakes(env: env)
    }

    // MARK: Sign-up and log-in

    /// Creates a person and signs them in. `origin` nil is the operator (the
    /// command line), whom no per-address limit brakes.
    public func signup(
        email rawEmail: String, password: String, name rawName: String, from origin: SignInOrigin?, on db: any Database
    ) async throws -> AuthResult {
        var validator = FieldValidator()
        let email = validator.check { () throws(DomainError) in try EmailAddress(rawEmail) }
        validator.check { () throws(DomainError) in try AccountRules.validatePassword(password) }
        let name = validator.check { () throws(DomainError) in try AccountRules.validName(rawName) }
        try validator.finish()
        guard let email, let name else { preconditionFailure("finish() throws when a check failed") }
        if let origin { try await brakes.signUp(from: origin, on: db) }

        let hash = try await env.passwordHasher.hash(password)
        return try await db.writeTransaction { tx in
            guard try await UserModel.query(on: tx).filter(\.$email == email.value).first() == nil else {
                throw DomainError.conflict("An account with this email already exists; log in instead.")
            }
            let user = UserModel(email: email.value, name: name, passwordHash: hash, createdAt: env.clock.now)
            try await user.create(on: tx)
            return try await startSession(for: user, on: tx)
        }
    }

    /// Creates a person without signing them in (the `crew user create` command).
    public func createUser(email rawEmail: String, password: String, name: String, on db: any Database) async throws -> UserView {
        let result = try await signup(email: rawEmail, password: password, name: name, from: nil, on: db)
        try await SessionModel.query(on: db).filter(\.$tokenHash == SecureToken.hash(result.token)).delete()
        return result.user
    }

    /// Checks the password and mints a fresh session; the answer never reveals
    /// whether the email exists (unknown addresses are braked like known ones).
    /// Braked attempts are refused with 429 before the password is checked.
    public func login(email rawEmail: String, password: String, from origin: SignInOrigin, on db: any Database) async throws -> AuthResult {
        let failure = DomainError.unauthenticated("Email or password is incorrect.")
        let email = try? EmailAddress(rawEmail)
        let failures = try await brakes.admitLogIn(email: email?.value, from: origin, on: db)
        var user: UserModel?
        if let email { user = try await UserModel.query(on: db).filter(\.$email == email.value).first() }
        guard let user, try await env.passwordHasher.verify(password, hash: user.passwordHash) else {
            if user == nil { _ = try await env.passwordHasher.verify(password, hash: decoyHash.value()) }
            try await brakes.failed(email: email?.value, failures: failures, user: user, from: origin, on: db)
            throw failure
        }
        try await brakes.succeeded(email: user.email, on: db)
        return try await startSession(for: user, on: db)
    }

    /// Ends the session the request came with. Personal access tokens are revoked, not logged out.
    public func logout(_ identity: Identity, on db: any Database) async throws {
        if case .session(let id) = identity.credential {
            try await SessionModel.query(on: db).filter(\.$id == id).delete()
        }
    }

    private func startSession(for user: UserModel, on db: any Database) async throws -> AuthResult {
        let token = SecureToken.generate()
        let now = env.clock.now
        let session = SessionModel(
            tokenHash: SecureToken.hash(token), userID: try user.requireID(),
            createdAt: now, expiresAt: now.addingTimeInterval(env.sessionLifetime))
        try await session.create(on: db)
        return AuthResult(token: token, user: UserView(user), expiresAt: session.expiresAt)
    }

    // MARK: Authentication of requests

    /// Resolves a bearer token or session cookie to the person, or `nil` when it is
    /// unknown, expired or revoked.
    public func authenticate(token: String, on db: any Database) async throws -> Identity? {
        if token.hasPrefix(Self.apiTokenPrefix) {
            return try await authenticateAPIToken(token, on: db)
        }
        // Every signed-in request runs this: one statement for the session and its
        // person. The person comes from subqueries, not a join: with statistics
        // from when `sessions` was small (a burst of sign-ups within autovacuum's
        // minute), PostgreSQL planned the join as a walk of `sessions_user_idx`
        // filtering every session by hash (5 ms at 10,000 sessions, and growing).
        // A lookup of one table by its unique hash has only the one good plan.
        guard let (hash, rows) = try await currentSession(token, as: SessionRow.self, on: db, { SessionLookup(tokenHash: $0) })
        else { return nil }
        return rows[0].identity(tokenHash: hash)
    }

    /// `authenticate(token:on:)`, and for a request within a workspace the
    /// caller's membership of it, in the same statement: every workspace
    /// request needs both, and a round trip each was a third of a members
    /// page's time on PostgreSQL. The membership is nil when the person is not
    /// a member (the route then answers as it always does).
    public func authenticate(token: String, in workspaceID: UUID, on db: any Database) async throws -> (Identity, CallerMembership?)? {
        guard !token.hasPrefix(Self.apiTokenPrefix) else {
            return try await authenticate(token: token, on: db).map { ($0, nil) }
        }
        guard
            let (hash, rows) = try await currentSession(
                token, as: SessionInWorkspaceRow.self, on: db, { SessionInWorkspaceLookup(tokenHash: $0, workspaceID: workspaceID) })
        else { return nil }
        return (rows[0].session.identity(tokenHash: hash), rows[0].caller)
    }

    /// `authenticate(token:in:on:)`, and the workspace's client invite link,
    /// in the same statement: the link panel of the Users page reloads it on
    /// every visit and edit, and a round trip each was a third of its time on
    /// PostgreSQL. The link is only read here; showing it is authorized by the
    /// caller's membership as always (`InviteLinkService.get`).
    public func authenticateWithLink(
        token: String, in workspaceID: UUID, on db: any Database
    ) async throws -> (Identity, CallerMembership?, InviteLinkModel?)? {
        guard !token.hasPrefix(Self.apiTokenPrefix) else {
            return try await authenticate(token: token, in: workspaceID, on: db).map { ($0, $1, nil) }
        }
        guard
            let (hash, rows) = try await currentSession(
                token, as: SessionInWorkspaceWithLinkRow.self, on: db, { SessionInWorkspaceWithLink(tokenHash: $0, workspaceID: workspaceID) })
        else { return nil }
        return (rows[0].session.identity(tokenHash: hash), rows[0].caller.caller, rows[0].link)
    }

    /// `authenticate(token:on:)`, and the person's workspaces with their role
    /// in each (what `/me` shows), in the same statement instead of two.
    public func authenticateWithWorkspaces(token: String, on db: any Database) async throws -> (Identity, [MeView.WorkspaceSummary])? {
        guard !token.hasPrefix(Self.apiTokenPrefix) else {
            guard let identity = try await authenticate(token: token, on: db) else { return nil }
            return (identity, try await workspaces(of: identity, on: db))
        }
        guard let (hash, rows) = try await currentSession(token, as: SessionWithWorkspaceRow.self, on: db, { SessionWithWorkspaces(tokenHash: $0) })
        else { return nil }
        return (rows[0].session.identity(tokenHash: hash), summaries(rows.compactMap(\.workspace)))
    }

    /// The token's hash and the rows of a session statement for it (made by
    /// `statement` from the hash; at least one), or nil when the token is
    /// malformed or its session unknown or expired.
    private func currentSession<Statement: PreparedStatement, Row: SessionRows>(
        _ token: String, as type: Row.Type, on db: any Database, _ statement: (String) -> Statement
    ) async throws -> (String, [Row])? {
        guard SecureToken.isWellFormed(token) else { return nil }
        let hash = SecureToken.hash(token)
        let rows = try await db.all(statement(hash), as: Row.self)
        guard let first = rows.first, first.session.expires_at > env.clock.now else { return nil }
        return (hash, rows)
    }

    /// `SessionLookup` with the person's membership of `$2` (an index lookup
    /// by the unique workspace and person), and what `also` adds.
    private static func sessionInWorkspace(alsoSelecting columns: String = "", alsoJoining join: String = "") -> String {
        """
        SELECT \(SessionLookup.columns), \(CallerMembership.columns)\(columns.isEmpty ? "" : ", " + columns)
        FROM \(SessionModel.schema) s LEFT JOIN \(MembershipModel.schema) m ON m.user_id = s.user_id AND m.workspace_id = $2
        \(join)
        WHERE s.token_hash = $1
        """
    }

    private struct SessionInWorkspaceLookup: PreparedStatement {
        static let readsInline = true
        static let sql = AccountService.sessionInWorkspace()
        let tokenHash: String
        let workspaceID: UUID
        var values: [any PreparedValue] { [tokenHash, workspaceID] }
    }

    /// `SessionInWorkspaceLookup` with the link of `$2`, its columns named `link_…`.
    private struct SessionInWorkspaceWithLink: PreparedStatement {
        static let readsInline = true
        static let sql = AccountService.sessionInWorkspace(
            alsoSelecting: InviteLinkModel.columns(as: "l", prefixed: "link_"),
            alsoJoining: "LEFT JOIN \(InviteLinkModel.schema) l ON l.workspace_id = $2")
        let tokenHash: String
        let workspaceID: UUID
        var values: [any PreparedValue] { [tokenHash, workspaceID] }
    }

    /// `SessionLookup` with one row per workspace of the person (one row with
    /// the workspace columns NULL when there is none).
    private struct SessionWithWorkspaces: PreparedStatement {
        static let readsInline = true
        static let sql = """
            SELECT \(SessionLookup.columns), w.id AS workspace_id, w.name AS workspace_name, m.role AS workspace_role,
            m.access_until AS workspace_access_until
            FROM \(SessionModel.schema) s LEFT JOIN \(MembershipModel.schema) m ON m.user_id = s.user_id
            LEFT JOIN \(WorkspaceModel.schema) w ON w.id = m.workspace_id
            WHERE s.token_hash = $1
            """
        let tokenHash: String
        var values: [any PreparedValue] { [tokenHash] }
    }

    /// A row that starts with `SessionLookup.columns`.
    private protocol SessionRows: PreparedRow {
        var session: SessionRow { get }
    }

    private struct SessionWithWorkspaceRow: SessionRows {
        var session: SessionRow
        var workspace: WorkspaceRow?

        init(reading columns: inout ColumnReader) throws {
            session = try SessionRow(reading: &columns)
            let id: RowID? = try columns.next("workspace_id")
            let name: String? = try columns.next("workspace_name")
            let role: String? = try columns.next("workspace_role")
            let accessUntil: Date? = try columns.next("workspace_access_until")
            if let id, let name, let role { workspace = WorkspaceRow(id: id, name: name, role: role, accessUntil: accessUntil) }
        }
    }

    private struct SessionInWorkspaceRow: SessionRows {
        var session: SessionRow
        var caller: CallerMembership?

        init(reading columns: inout ColumnReader) throws {
            session = try SessionRow(reading: &columns)
            caller = try CallerMembership.read(&columns)
        }
    }

    private struct SessionInWorkspaceWithLinkRow: SessionRows {
        var caller: SessionInWorkspaceRow
        var link: InviteLinkModel?

        var session: SessionRow { caller.session }

        init(reading columns: inout ColumnReader) throws {
            caller = try SessionInWorkspaceRow(reading: &columns)
            link = try InviteLinkModel.readIfPresent(&columns, prefix: "link_")
        }
    }

    /// The workspaces a person belongs to, with their role in each.
    private struct WorkspacesOf: PreparedStatement {
        static let readsInline = true
        static let sql = """
            SELECT w.id, w.name, m.role, m.access_until FROM \(MembershipModel.schema) m
            JOIN \(WorkspaceModel.schema) w ON w.id = m.workspace_id WHERE m.user_id = $1
            """
        let userID: UUID
        var values: [any PreparedValue] { [userID] }
    }

    private struct WorkspaceRow: PreparedRow {
        var id: RowID
        var name: String
        var role: String
        var accessUntil: Date?

        init(id: RowID, name: String, role: String, accessUntil: Date?) {
            self.id = id
            self.name = name
            self.role = role
            self.accessUntil = accessUntil
        }

        init(reading columns: inout ColumnReader) throws {
            id = try columns.next("id")
            name = try columns.next("name")
            role = try columns.next("role")
            accessUntil = try columns.next("access_until")
        }
    }

    /// The session behind a token hash, with its person's email and name.
    private struct SessionLookup: PreparedStatement {
        static let readsInline = true
        static let sql = "SELECT \(columns) FROM \(SessionModel.schema) s WHERE s.token_hash = $1"

        /// What `SessionRow` reads, of a session `s`.
        static let columns = """
            s.id, s.user_id, s.expires_at,
            (SELECT u.email FROM \(UserModel.schema) u WHERE u.id = s.user_id) AS email,
            (SELECT u.name FROM \(UserModel.schema) u WHERE u.id = s.user_id) AS name
            """
        let tokenHash: String
        var values: [any PreparedValue] { [tokenHash] }
    }

    private struct SessionRow: SessionRows {
        var id: RowID
        var user_id: RowID
        var expires_at: Date
        var email: String
        var name: String

        init(reading columns: inout ColumnReader) throws {
            id = try columns.next("id")
            user_id = try columns.next("user_id")
            expires_at = try columns.next("expires_at")
            email = try columns.next("email")
            name = try columns.next("name")
        }

        var session: SessionRow { self }

        func identity(tokenHash: String) -> Identity {
            Identity(userID: user_id.uuid, email: email, name: name, credential: .session(id: id.uuid), tokenHash: tokenHash)
        }
    }

    // MARK: The person

    /// What `/me` shows; `workspaces` when the authentication read them already.
    public func me(_ identity: Identity, workspaces: [MeView.WorkspaceSummary]? = nil, on db: any Database) async throws -> MeView {
        var summaries = workspaces
        if summaries == nil { summaries = try await self.workspaces(of: identity, on: db) }
        var shown = summaries ?? []
        // A token limited to one workspace shows only that one.
        if let only = identity.tokenWorkspace?.apiString { shown = shown.filter { $0.id == only } }
        return MeView(id: identity.userID.apiString, email: identity.email, name: identity.name, workspaces: shown)
    }

    private func workspaces(of identity: Identity, on db: any Database) async throws -> [MeView.WorkspaceSummary] {
        summaries(try await db.all(WorkspacesOf(userID: identity.userID), as: WorkspaceRow.self))
    }

    /// By name (case-insensitively), then id; workspaces whose access has
    /// ended are left out (the person can do nothing there).
    private func summaries(_ rows: [WorkspaceRow]) -> [MeView.WorkspaceSummary] {
        let now = env.clock.now
        return rows.filter { !AccessExpiry.hasEnded($0.accessUntil, at: now) }.map { MeView.WorkspaceSummary(id: $0.id.uuid.apiString, name: $0.name, role: Role(rawValue: $0.role) ?? .client) }
            .sorted { ($0.name.lowercased(), $0.id) < ($1.name.lowercased(), $1.id) }
    }
}

/// The decoy bcrypt hash, computed once on first use.
final class DecoyHash: Sendable {
    private let hasher: PasswordHasher
    private let cached = Mutex<String?>(nil)

    init(hasher: PasswordHasher) {
        self.hasher = hasher
    }

    func value() async throws -> String {
        if let hash = cached.withLock({ $0 }) { return hash }
        let hash = try await hasher.decoyHash()
        cached.withLock { $0 = hash }
        return hash
    }
}
