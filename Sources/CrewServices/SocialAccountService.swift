import CrewConnectors
import CrewCore
import CrewStore
import Foundation

/// Social accounts of a workspace (DESIGN §5): who sees which, connecting and
/// reconnecting through a platform's OAuth flow (`SocialAccountService+Connect`),
/// and disconnecting, which keeps the account and its history.
public struct SocialAccountService: Sendable {
    let env: CrewEnvironment
    let connectors: ConnectorRegistry
    let audit: AuditLog

    public init(env: CrewEnvironment, connectors: ConnectorRegistry) {
        self.env = env
        self.connectors = connectors
        self.audit = AuditLog(clock: env.clock)
    }

    // MARK: Reading

    /// The accounts the caller may see: owner and admins all, everyone else
    /// those granted to them. Disconnected accounts only when asked for.
    public func list(_ access: WorkspaceAccess, status: String?, limit: PageSize, cursor: String?, on db: any Database) async throws -> Page<SocialAccountView> {
        var query = SocialAccountModel.query(on: db).filter(\.$workspaceID == access.workspaceID)
        switch status {
        case nil:
            query = query.filter(\.$statusText != AccountStatus.disconnected.rawValue)
        case "all":
            break
        case .some(let text):
            guard let parsed = AccountStatus(rawValue: text) else {
                throw DomainError.invalid("status", "must be one of connected, needs_reconnect, disconnected, all")
            }
            query = query.filter(\.$statusText == parsed.rawValue)
        }
        if !access.seesEveryAccount {
            query = query.join(AccountGrantModel.self, on: \SocialAccountModel.$id == \AccountGrantModel.$accountID)
                .filter(AccountGrantModel.self, \.$membershipID == access.membershipID)
        }
        if let cursor {
            let after = try KeysetCursor(decoding: cursor)
            query = query.group(.or) { group in
                group.filter(\.$createdAt > after.time)
                    .group(.and) { $0.filter(\.$createdAt == after.time).filter(\.$id > after.id) }
            }
        }
        let rows = try await query.sort(\.$createdAt).sort(\.$id).limit(limit.value + 1).all()
        let (pageRows, next) = KeysetCursor.page(rows, limit: limit.value) { KeysetCursor(time: $0.createdAt, id: $0.id!) }
        let items = try await views(of: pageRows, for: access, on: db)
        return Page(items: items, nextCursor: next)
    }

    public func get(_ access: WorkspaceAccess, accountID: UUID, on db: any Database) async throws -> SocialAccountView {
        let account = try await visibleAccount(access, accountID, on: db)
        return try await views(of: [account], for: access, on: db)[0]
    }

    /// Every platform with whether it is configured here and whether the caller may use it.
    public func platforms(_ access: WorkspaceAccess) -> [PlatformOption] {
        Platform.allCases.sorted().map { platform in
            PlatformOption(platform: platform.rawValue, available: connectors.isAvailable(platform), allowed: access.mayConnect(platform))
        }
    }

    // MARK: Disconnecting

    /// Disconnects an account: its credentials are wiped, the row, its grants,
    /// posts and analytics stay, and it stops counting against the plan.
    /// Clients can never do this (403 `clients_cannot_remove_accounts`).
    public func disconnect(_ access: WorkspaceAccess, accountID: UUID, on db: any Database) async throws {
        let account = try await visibleAccount(access, accountID, on: db)
        do {
            try access.require(.removeAccounts, accountAssigned: true)
        } catch {
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "account.remove_refused", targetType: "social_account",
                    targetID: account.id!.apiString, targetLabel: account.name, after: ["reason": error.code]),
                by: access.actor, on: db)
            throw error
        }
        try await db.workspaceTransaction(access.workspaceID) { tx in
            // The lock is the first statement: SQLite cannot upgrade a read under a concurrent writer.
            guard let row = try await SocialAccountModel.find(accountID, on: tx), row.status != .disconnected else { return }
            let before = ["status": row.statusText]
            row.status = .disconnected
            row.credentialsSealed = nil
            row.tokenExpiresAt = nil
            row.statusDetail = nil
            row.disconnectedAt = env.clock.now
            row.updatedAt = env.clock.now
            try await row.update(on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "account.disconnected", targetType: "social_account",
                    targetID: row.id!.apiString, targetLabel: "\(row.name) (\(row.platform))", before: before,
                    after: ["status": row.statusText]),
                by: access.actor, on: tx)
        }
    }

    // MARK: Helpers

    /// The account when it is in the workspace and visible to the caller; 404 otherwise
    /// (an account the caller may not see does not exist for them).
    func visibleAccount(_ access: WorkspaceAccess, _ accountID: UUID, on db: any Database) async throws -> SocialAccountModel {
        guard let account = try await SocialAccountModel.find(accountID, on: db), account.workspaceID == access.workspaceID else {
            throw DomainError.notFound("No such social account.")
        }
        if !access.seesEveryAccount {
            let granted = try await AccountGrantModel.query(on: db)
                .filter(\.$membershipID == access.membershipID).filter(\.$accountID == accountID).count() > 0
            guard granted else { throw DomainError.notFound("No such social account.") }
        }
        return account
    }

    func views(of rows: [SocialAccountModel], for access: WorkspaceAccess, on db: any Database) async throws -> [SocialAccountView] {
        let people = try await PeopleInSight.of(access, on: db).people(rows.compactMap(\.connectedByUserID), on: db)
        return rows.map { row in SocialAccountView(row, connectedBy: row.connectedByUserID.flatMap { people[$0] }) }
    }
}

extension WorkspaceAccess {
    /// Owner and admins see every account; everyone else their grants.
    var seesEveryAccount: Bool { role == .owner || role == .admin }

    /// Whether the caller may start a connection on `platform`: clients only from
    /// their allowed platforms, team roles as their role allows.
    public func mayConnect(_ platform: Platform) -> Bool {
        guard Policy.decide(facts, .connectAccounts).isAllowed else { return false }
        return role != .client || facts.allowedPlatforms.contains(platform)
    }

    /// `mayConnect` for a platform id as stored on an account.
    public func mayConnectFrom(_ platformID: String) -> Bool {
        Platform(rawValue: platformID).map(mayConnect) ?? false
    }
}
