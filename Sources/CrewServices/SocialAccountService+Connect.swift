import CrewConnectors
import CrewCore
import CrewStore
import FluentSQL
import Foundation

extension SocialAccountService {
    /// How long a person has to approve at the platform.
    public static let attemptLifetime: TimeInterval = 600

    /// Where platforms send people back: one address per platform, registered
    /// with each platform as the redirect URI.
    public func redirectURI(_ platform: Platform) -> String {
        "\(env.publicURL)/oauth/callback/\(platform.rawValue)"
    }

    /// Starts an OAuth authorization: records the attempt (state hashed, PKCE
    /// verifier sealed) and answers the platform's authorize address.
    /// - Parameter accountID: reconnect this account instead of connecting new ones.
    public func startConnect(_ access: WorkspaceAccess, platform text: String, accountID: UUID? = nil, on db: any Database) async throws -> AuthorizationStart {
        guard let platform = Platform(rawValue: text) else {
            throw DomainError.invalid("platform", "unknown platform '\(text.prefix(40))'; expected one of \(Platform.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try await checkMayConnect(access, platform, on: db)
        guard let connector = connectors.connector(for: platform) else {
            let name = platform.rawValue.uppercased()
            throw DomainError.invalid("platform", "\(platform.rawValue) is not configured on this server (the operator sets CREW_PLATFORM_\(name)_CLIENT_ID and CREW_PLATFORM_\(name)_SECRET)")
        }
        if let accountID {
            let account = try await visibleAccount(access, accountID, on: db)
            guard account.platform == platform.rawValue else {
                throw DomainError.invalid("platform", "account \(account.name) is on \(account.platform)")
            }
        }
        let state = SecureToken.generate()
        let pkce = PKCE()
        try await OAuthAttemptModel(
            stateHash: SecureToken.hash(state), workspaceID: access.workspaceID, membershipID: access.membershipID, userID: access.userID,
            platform: platform.rawValue, verifierSealed: env.sealer.seal(pkce.verifier), accountID: accountID, createdAt: env.clock.now,
            expiresAt: env.clock.now.addingTimeInterval(Self.attemptLifetime)
        ).create(on: db)
        return AuthorizationStart(authorizeUrl: connector.oauth.authorizationURL(state: state, pkce: pkce, redirectURI: redirectURI(platform)))
    }

    /// What the platform sent back to the callback address.
    public struct Callback: Sendable {
        public var platform: String
        public var state: String?
        public var code: String?
        public var error: String?

        public init(platform: String, state: String?, code: String?, error: String?) {
            self.platform = platform
            self.state = state
            self.code = code
            self.error = error
        }
    }

    /// Finishes an authorization: checks the state (once), the person's right to
    /// connect (again), redeems the code, lists the profiles, and creates or
    /// reconnects their accounts under the plan's account limit in one transaction.
    /// - Parameter userID: the signed-in person at the callback; it must be the
    ///   one who started the attempt.
    public func finishConnect(_ callback: Callback, userID: UUID, ip: String?, on db: any Database) async throws -> ConnectionResult {
        let attempt = try await claimAttempt(callback, userID: userID, on: db)
        do {
            return try await complete(attempt, callback, ip: ip, on: db)
        } catch let error as DomainError {
            throw ConnectionFailed(workspaceID: attempt.workspaceID, error: error)
        }
    }

    /// A callback whose state was good but whose connection failed; the person
    /// goes back to that workspace's accounts page with the reason.
    public struct ConnectionFailed: Error, Sendable {
        public var workspaceID: UUID
        public var error: DomainError
    }

    private func complete(_ attempt: OAuthAttemptModel, _ callback: Callback, ip: String?, on db: any Database) async throws -> ConnectionResult {
        let platform = Platform(rawValue: attempt.platform)!
        if callback.error != nil {
            return ConnectionResult(workspaceID: attempt.workspaceID, connected: [], reconnected: [], denied: true)
        }
        let access = try await accessAgain(attempt, ip: ip, on: db)
        try await checkMayConnect(access, platform, on: db)
        guard let code = callback.code, !code.isEmpty, code.count <= 4_096 else {
            throw DomainError.invalidState("The platform sent no authorization code.")
        }
        guard let connector = connectors.connector(for: platform), let verifier = env.sealer.open(attempt.verifierSealed) else {
            throw DomainError.invalidState("\(platform.rawValue) is no longer configured on this server.")
        }
        let tokens: TokenSet
        let profiles: [PlatformProfile]
        do {
            tokens = try await connector.exchange(code: code, pkce: PKCE(verifier: verifier), redirectURI: redirectURI(platform))
            profiles = try await connector.profiles(tokens)
        } catch let error as ConnectorError {
            throw DomainError.platformFailed(error.describe(platform: platform.rawValue))
        }
        guard !profiles.isEmpty else {
            throw DomainError.platformFailed("\(platform.rawValue) granted access to no page or profile; nothing was connected.")
        }
        do {
            return try await store(profiles, tokens: tokens, attempt: attempt, access: access, on: db)
        } catch let error as DomainError {
            if case .accountLimitReached = error { try await recordRefusal(access, platform, error, on: db) }
            throw error
        }
    }

    // MARK: Steps

    /// Refuses (and audits) a connection the caller may not start.
    func checkMayConnect(_ access: WorkspaceAccess, _ platform: Platform, on db: any Database) async throws {
        if access.role == .client, !access.facts.allowedPlatforms.contains(platform) {
            let error = DomainError.platformNotAllowed("You may connect accounts only from the platforms the agency allowed you.")
            try await recordRefusal(access, platform, error, on: db)
            throw error
        }
        try access.require(.connectAccounts)
    }

    /// The attempt behind the state, marked finished by exactly one callback.
    private func claimAttempt(_ callback: Callback, userID: UUID, on db: any Database) async throws -> OAuthAttemptModel {
        guard let state = callback.state, SecureToken.isWellFormed(state) else {
            throw DomainError.invalidState("The authorization state is missing or malformed; start connecting again.")
        }
        guard let attempt = try await OAuthAttemptModel.query(on: db).filter(\.$stateHash == SecureToken.hash(state)).first(),
            attempt.platform == callback.platform
        else { throw DomainError.invalidState("This authorization is unknown; start connecting again.") }
        guard attempt.finishedAt == nil else { throw DomainError.invalidState("This authorization was already used; start connecting again.") }
        guard attempt.expiresAt > env.clock.now else {
            throw DomainError.invalidState("This authorization took longer than \(Int(Self.attemptLifetime / 60)) minutes; start connecting again.")
        }
        if userID != attempt.userID {
            throw DomainError.invalidState("This authorization was started by someone else.")
        }
        // A conditional update, so two callbacks racing with one state cannot both win.
        let sql = db as! any SQLDatabase
        let claimed = try await sql.update(OAuthAttemptModel.schema)
            .set("finished_at", to: SQLBind(env.clock.now))
            .where("id", .equal, SQLBind(attempt.id!))
            .where("finished_at", .is, SQLLiteral.null)
            .returning("id")
            .all()
        guard claimed.count == 1 else { throw DomainError.invalidState("This authorization was already used; start connecting again.") }
        return attempt
    }

    /// The starter's access as it is now: they may have been removed or changed meanwhile.
    private func accessAgain(_ attempt: OAuthAttemptModel, ip: String?, on db: any Database) async throws -> WorkspaceAccess {
        guard let membership = try await MembershipModel.find(attempt.membershipID, on: db), membership.userID == attempt.userID,
            let user = try await UserModel.find(attempt.userID, on: db)
        else { throw DomainError.forbidden("You are no longer a member of this workspace.") }
        return WorkspaceAccess(
            workspaceID: attempt.workspaceID, membershipID: attempt.membershipID, userID: attempt.userID,
            facts: MemberFacts(role: membership.role, permissions: membership.permissions, allowedPlatforms: membership.allowedPlatforms),
            actor: Actor(userID: user.id, name: user.name, ip: ip))
    }

    /// Creates, revives or reconnects one account per profile, in one transaction
    /// under the workspace lock so the plan's account limit holds.
    private func store(
        _ profiles: [PlatformProfile], tokens: TokenSet, attempt: OAuthAttemptModel, access: WorkspaceAccess, on db: any Database
    ) async throws -> ConnectionResult {
        let sealed = env.sealer.seal(String(decoding: try JSONEncoder().encode(tokens), as: UTF8.self))
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            let rows = try await accountRows(for: profiles, attempt: attempt, on: tx)
            try await checkAccountLimit(adding: rows.filter { !$0.row.status.countsAgainstLimit || $0.row.id == nil }.count, in: access.workspaceID, on: tx)
            var result = ConnectionResult(workspaceID: access.workspaceID, connected: [], reconnected: [], denied: false)
            var entries: [AuditEntry] = []
            for (profile, row) in rows {
                let isNew = row.id == nil || row.status == .disconnected
                let before = row.id == nil ? nil : ["status": row.statusText, "name": row.name]
                if row.status == .disconnected { row.connectedByUserID = access.userID }
                row.name = profile.name
                row.status = .connected
                row.statusDetail = nil
                row.credentialsSealed = sealed
                row.tokenExpiresAt = tokens.expiresAt
                row.disconnectedAt = nil
                row.refreshClaimedUntil = nil
                row.updatedAt = env.clock.now
                try await row.save(on: tx)
                if !access.seesEveryAccount { try await grant(row.id!, to: access, on: tx) }
                isNew ? result.connected.append(profile.name) : result.reconnected.append(profile.name)
                entries.append(
                    AuditEntry(
                        workspaceID: access.workspaceID, action: isNew ? "account.connected" : "account.reconnected", targetType: "social_account",
                        targetID: row.id!.apiString, targetLabel: "\(profile.name) (\(attempt.platform))", before: before,
                        after: ["status": AccountStatus.connected.rawValue, "name": profile.name, "externalId": profile.externalID]))
            }
            try await audit.record(entries, by: access.actor, on: tx)
            return result
        }
    }

    /// The account row for each granted profile: the existing one (same platform
    /// id in this workspace) or a new one. Reconnecting narrows to the one account,
    /// which must be among what the platform granted.
    private func accountRows(
        for profiles: [PlatformProfile], attempt: OAuthAttemptModel, on db: any Database
    ) async throws -> [(profile: PlatformProfile, row: SocialAccountModel)] {
        if let accountID = attempt.accountID {
            guard let account = try await SocialAccountModel.find(accountID, on: db) else { throw DomainError.notFound("No such social account.") }
            // Accounts made before connectors have no platform id: one granted profile is adopted.
            let match = profiles.first { $0.externalID == account.externalID } ?? (account.externalID == nil && profiles.count == 1 ? profiles[0] : nil)
            guard let match else {
                throw DomainError.conflict("Authorize \(account.name) itself to reconnect it; the platform granted other profiles.")
            }
            account.externalID = match.externalID
            return [(match, account)]
        }
        let existing = try await SocialAccountModel.query(on: db)
            .filter(\.$workspaceID == attempt.workspaceID).filter(\.$platform == attempt.platform)
            .filter(\.$externalID ~~ profiles.map(\.externalID)).all()
        let byExternalID = Dictionary(existing.compactMap { row in row.externalID.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
        return profiles.map { profile in
            (profile, byExternalID[profile.externalID] ?? SocialAccountModel(
                workspaceID: attempt.workspaceID, platform: attempt.platform, name: profile.name, connectedByUserID: attempt.userID,
                createdAt: env.clock.now, externalID: profile.externalID))
        }
    }

    private func checkAccountLimit(adding count: Int, in workspaceID: UUID, on db: any Database) async throws {
        guard count > 0, let limit = try await accountLimit(workspaceID, on: db) else { return }
        let used = try await SocialAccountModel.countAgainstLimit(in: workspaceID, on: db)
        if used + count > limit {
            throw DomainError.accountLimitReached(
                "The plan allows \(limit) social accounts and \(used) are connected; connecting \(count) more would exceed it.")
        }
    }

    /// Whoever connects an account they could not otherwise see gets a grant to it.
    private func grant(_ accountID: UUID, to access: WorkspaceAccess, on db: any Database) async throws {
        let has = try await AccountGrantModel.query(on: db)
            .filter(\.$membershipID == access.membershipID).filter(\.$accountID == accountID).count() > 0
        if !has {
            try await AccountGrantModel(membershipID: access.membershipID, accountID: accountID, workspaceID: access.workspaceID).create(on: db)
        }
    }

    private func accountLimit(_ workspaceID: UUID, on db: any Database) async throws -> Int? {
        guard let workspace = try await WorkspaceModel.find(workspaceID, on: db) else { throw DomainError.notFound("No such workspace.") }
        return SeatLedger(env: env).plan(of: workspace).accountLimit
    }

    /// A refused connection is an audit event of its own, written outside the
    /// (rolled back) change.
    func recordRefusal(_ access: WorkspaceAccess, _ platform: Platform, _ error: DomainError, on db: any Database) async throws {
        try await audit.record(
            AuditEntry(
                workspaceID: access.workspaceID, action: "account.connect_refused", targetType: "platform", targetID: platform.rawValue,
                targetLabel: platform.rawValue, after: ["reason": error.code]),
            by: access.actor, on: db)
    }
}
