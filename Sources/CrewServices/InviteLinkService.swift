import CrewCore
import CrewStore
import Foundation

/// The client invite link (DESIGN §4): reading and editing it, refreshing its
/// token, and joining through it. Joining lives in `InviteLinkService+Join.swift`.
public struct InviteLinkService: Sendable {
    /// Wrong or inactive tokens allowed per client IP and minute.
    public static let missLimit = 20

    let env: CrewEnvironment
    let audit: AuditLog
    let seats: SeatLedger
    let limiter: RateLimiter

    public init(env: CrewEnvironment) {
        self.env = env
        self.audit = AuditLog(clock: env.clock)
        self.seats = SeatLedger(env: env)
        self.limiter = RateLimiter(clock: env.clock)
    }

    /// The workspace's link, created (enabled, no permissions) on first use.
    /// - Parameter prefetched: the link as read with the caller's session, if it was.
    public func get(_ access: WorkspaceAccess, prefetched: InviteLinkModel? = nil, on db: any Database) async throws -> InviteLinkView {
        try access.require(.editInviteLink)
        if let prefetched, prefetched.workspaceID == access.workspaceID { return view(of: prefetched) }
        // Read column by column: only shown, never saved from here.
        if let link = try await db.first(LinkOfWorkspace(workspaceID: access.workspaceID), as: InviteLinkModel.self) { return view(of: link) }
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            if let link = try await find(access.workspaceID, on: tx) { return view(of: link) }
            let link = InviteLinkModel()
            link.workspaceID = access.workspaceID
            link.schedule = LinkSchedule(status: .enabled, statusUntil: nil)
            link.permissions = []
            link.allowedPlatforms = []
            link.accountIDs = []
            link.uses = 0
            link.requireApproval = false
            link.createdAt = env.clock.now
            let token = rotate(link)
            try await link.create(on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "link.created", targetType: "invite_link", targetID: link.id!.apiString,
                    targetLabel: "client invite link", after: ["token": SecureToken.fingerprint(token)]),
                by: access.actor, on: tx)
            return view(of: link)
        }
    }

    /// Edits status, schedule and what joiners get. Applies to people who join
    /// afterwards only: existing clients keep their copy.
    public func update(_ access: WorkspaceAccess, _ patch: InviteLinkPatch, on db: any Database) async throws -> InviteLinkView {
        _ = try await get(access, on: db)
        var validator = FieldValidator()
        let status = validator.check(patch.status) { (text: String) throws(DomainError) -> LinkStatus in
            guard let status = LinkStatus(rawValue: text) else { throw .invalid("status", "must be enabled or disabled") }
            return status
        }
        let until = validator.check(patch.statusUntil) { (text: String?) throws(DomainError) -> Date? in
            guard let text else { return nil }
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw .invalid("statusUntil", "must be an RFC 3339 time such as 2026-12-01T09:00:00Z, or null")
            }
            try InviteLinkRules.validateStatusUntil(date, now: env.clock.now)
            return date
        }
        let permissions = validator.check(patch.permissions) { (names: [String]) throws(DomainError) in
            try AccessGrants.validPermissions(names, for: .client)
        }
        let platforms = validator.check(patch.allowedPlatforms) { (names: [String]) throws(DomainError) in
            try AccessGrants.validPlatforms(names, for: .client)
        }
        let accessDays = validator.check(patch.accessDays) { (days: Int?) throws(DomainError) -> Int? in
            try days.map { days throws(DomainError) in try AccessExpiry.validLinkDays(days) }
        }
        try validator.finish()
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            guard let link = try await find(access.workspaceID, on: tx) else { throw DomainError.notFound() }
            let before = snapshot(link)
            if let status { link.schedule = LinkSchedule(status: status, statusUntil: link.statusUntil) }
            if case .some = patch.statusUntil {
                link.statusUntil = until ?? nil
            } else if status != nil {
                // A new status without a time means "until I change it".
                link.statusUntil = nil
            }
            if let permissions { link.permissions = permissions }
            if let platforms { link.allowedPlatforms = platforms }
            if let ids = patch.accountIds { link.accountIDs = try await AccessGrants.validAccounts(ids, in: access.workspaceID, on: tx) }
            if case .some(let maxUses) = patch.maxUses {
                try InviteLinkRules.validateMaxUses(maxUses, uses: link.uses)
                link.maxUses = maxUses
            }
            if let approval = patch.requireApproval { link.requireApproval = approval }
            if case .some = patch.accessDays { link.accessDays = accessDays ?? nil }
            link.updatedAt = env.clock.now
            try await link.update(on: tx)
            let after = snapshot(link)
            if before != after {
                try await audit.record(
                    AuditEntry(
                        workspaceID: access.workspaceID, action: "link.updated", targetType: "invite_link",
                        targetID: link.id!.apiString, targetLabel: "client invite link", before: before, after: after),
                    by: access.actor, on: tx)
            }
            return view(of: link)
        }
    }

    /// A new token; the old URL stops working (410) in the same transaction.
    public func refresh(_ access: WorkspaceAccess, on db: any Database) async throws -> InviteLinkView {
        _ = try await get(access, on: db)
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            guard let link = try await find(access.workspaceID, on: tx) else { throw DomainError.notFound() }
            let oldHash = link.tokenHash
            try await RetiredLinkTokenModel(tokenHash: oldHash, workspaceID: access.workspaceID, retiredAt: env.clock.now).create(on: tx)
            let token = rotate(link)
            try await link.update(on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "link.refreshed", targetType: "invite_link", targetID: link.id!.apiString,
                    targetLabel: "client invite link", before: ["token": String(oldHash.prefix(12)), "uses": String(link.uses)],
                    after: ["token": SecureToken.fingerprint(token)]),
                by: access.actor, on: tx)
            return view(of: link)
        }
    }

    // MARK: Helpers

    func find(_ workspaceID: UUID, on db: any Database) async throws -> InviteLinkModel? {
        try await db.first(LinkOfWorkspace(workspaceID: workspaceID))?.decode(fluentModel: InviteLinkModel.self)
    }

    private struct LinkOfWorkspace: PreparedStatement {
        static let readsInline = true
        static let sql = "SELECT \(InviteLinkModel.columns()) FROM \(InviteLinkModel.schema) WHERE workspace_id = $1"
        let workspaceID: UUID
        var values: [any PreparedValue] { [workspaceID] }
    }

    /// Gives the link a fresh token (hash and sealed copy) and returns it.
    private func rotate(_ link: InviteLinkModel) -> String {
        let token = SecureToken.generate()
        link.tokenHash = SecureToken.hash(token)
        link.tokenSealed = env.sealer.seal(token)
        link.updatedAt = env.clock.now
        return token
    }

    func view(of link: InviteLinkModel) -> InviteLinkView {
        let token = env.sealer.open(link.tokenSealed) ?? ""
        return InviteLinkView(
            url: "\(env.publicURL)/join/\(token)", status: link.schedule.status, statusUntil: link.statusUntil,
            active: InviteLinkRules.isActive(link.schedule, uses: link.uses, maxUses: link.maxUses, at: env.clock.now),
            permissions: link.permissions.sorted(), allowedPlatforms: link.allowedPlatforms.sorted(),
            accountIds: link.accountIDs.map(\.apiString).sorted(), maxUses: link.maxUses, uses: link.uses,
            requireApproval: link.requireApproval, accessDays: link.accessDays, updatedAt: link.updatedAt,
            seatsPerJoiner: InviteLinkRules.seatsPerJoiner(link.permissions))
    }

    private func snapshot(_ link: InviteLinkModel) -> [String: String] {
        [
            "status": link.statusText, "statusUntil": link.statusUntil.map { ISO8601DateFormatter().string(from: $0) } ?? "",
            "permissions": link.permissionsText, "allowedPlatforms": link.allowedPlatformsText,
            "accountIds": link.accountIDsText, "maxUses": link.maxUses.map(String.init) ?? "",
            "requireApproval": String(link.requireApproval), "accessDays": link.accessDays.map(String.init) ?? "",
        ]
    }
}
