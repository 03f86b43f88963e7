import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// An invitation as the API shows it.
public struct InvitationView: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var role: Role
    public var permissions: [ClientPermission]
    public var allowedPlatforms: [Platform]
    public var accountIds: [String]
    /// `pending`, `expired`, `accepted` or `revoked`.
    public var status: String
    public var countsAsSeat: Bool
    public var invitedBy: String
    public var createdAt: Date
    public var sentAt: Date
    public var expiresAt: Date
    /// When the access this invitation gives ends; nil: never.
    public var accessUntil: Date?
    /// How the newest invitation mail is doing.
    public var delivery: MailDeliveryView?

    init(_ model: InvitationModel, now: Date, delivery: MailDeliveryView? = nil) {
        self.id = model.id!.apiString
        self.email = model.email
        self.role = model.role
        self.permissions = model.permissions.sorted()
        self.allowedPlatforms = model.allowedPlatforms.sorted()
        self.accountIds = model.accountIDs.map(\.apiString).sorted()
        self.status = model.state == InvitationModel.pending && model.expiresAt <= now ? "expired" : model.state
        self.countsAsSeat = model.countsAsSeat
        self.invitedBy = model.invitedByName
        self.createdAt = model.createdAt
        self.sentAt = model.sentAt
        self.expiresAt = model.expiresAt
        self.accessUntil = model.accessUntil
        self.delivery = delivery
    }
}

/// Where a mail stands: `queued` (waiting or being retried), `sent` or `failed`.
public struct MailDeliveryView: Codable, Sendable, Equatable {
    public var status: String
    public var attempts: Int
    /// The server's last reply when delivery failed or is being retried.
    public var lastError: String?
    /// The accept link, only once delivery failed, to pass on by other means.
    public var acceptUrl: String?

    init(_ message: OutboxMessageModel, acceptURL: String?) {
        self.status = message.sentAt != nil ? "sent" : (message.failedAt != nil ? "failed" : "queued")
        self.attempts = message.attempts
        self.lastError = message.lastError
        self.acceptUrl = message.failedAt != nil && message.sentAt == nil ? acceptURL : nil
    }
}

/// What to invite people as.
public struct InvitationRequest: Sendable {
    public var emails: [String]
    public var role: String
    public var permissions: [String]
    public var allowedPlatforms: [String]
    public var accountIds: [String]
    /// When the access ends (`AccessExpiry`); nil: never.
    public var accessUntil: Date?

    public init(
        emails: [String], role: String, permissions: [String] = [], allowedPlatforms: [String] = [], accountIds: [String] = [],
        accessUntil: Date? = nil
    ) {
        self.accessUntil = accessUntil
        self.emails = emails
        self.role = role
        self.permissions = permissions
        self.allowedPlatforms = allowedPlatforms
        self.accountIds = accountIds
    }
}

/// Email invitations (DESIGN §3): create, list, revoke, resend, accept.
public struct InvitationService: Sendable {
    public static let maxEmailsPerRequest = 100

    let env: CrewEnvironment
    let audit: AuditLog
    let seats: SeatLedger
    let outbox: Outbox
    /// How long an invitation stays valid.
    public let lifetime: TimeInterval

    public init(env: CrewEnvironment, lifetime: TimeInterval = 7 * 24 * 3600) {
        self.env = env
        self.audit = AuditLog(clock: env.clock)
        self.seats = SeatLedger(env: env)
        self.outbox = Outbox(env: env)
        self.lifetime = lifetime
    }

    /// Invites one or many emails with the same access; all-or-nothing.
    public func create(_ access: WorkspaceAccess, _ request: InvitationRequest, on db: any Database) async throws -> [InvitationView] {
        try access.require(.invite)
        guard let role = Role(rawValue: request.role) else {
            throw DomainError.invalid("role", "unknown role '\(request.role.prefix(40))'; expected one of admin, manager, editor, client")
        }
        try MembershipRules.checkInvite(actor: access.role, role: role)
        let emails = try Self.validEmails(request.emails)
        let permissions = try AccessGrants.validPermissions(request.permissions, for: role)
        let platforms = try AccessGrants.validPlatforms(request.allowedPlatforms, for: role)
        let countsAsSeat = Seats.countsAsSeat(role: role, permissions: permissions)
        let accessUntil = try request.accessUntil.map { until throws(DomainError) in try AccessExpiry.validEnd(until, now: env.clock.now) }

        do {
            return try await db.workspaceTransaction(access.workspaceID) { tx in
                let accounts = try await AccessGrants.validAccounts(request.accountIds, in: access.workspaceID, on: tx)
                try await refuseExisting(emails, in: access.workspaceID, on: tx)
                if countsAsSeat { try await seats.requireRoom(for: emails.count, in: access.workspaceID, on: tx) }
                guard let workspace = try await WorkspaceModel.find(access.workspaceID, on: tx) else { throw DomainError.notFound() }
                let invitations = emails.map { email in
                    let invitation = InvitationModel(
                        workspaceID: access.workspaceID, email: email.value, role: role, permissions: permissions,
                        allowedPlatforms: platforms, accountIDs: accounts, invitedBy: access, createdAt: env.clock.now)
                    invitation.id = UUID()
                    invitation.accessUntil = accessUntil
                    return invitation
                }
                try await sendNew(invitations, workspaceName: workspace.name, on: tx)
                try await recordSent(invitations, access: access, on: tx)
                return invitations.map { InvitationView($0, now: env.clock.now) }
            }
        } catch DomainError.seatLimitReached(let detail) {
            try await recordSeatRefusal(emails.map(\.value), role: role.rawValue, detail: detail, access: access, on: db)
            throw DomainError.seatLimitReached(detail)
        }
    }

    /// Pending (and expired, not yet cleaned up) invitations, newest first.
    public func listPending(_ access: WorkspaceAccess, on db: any Database) async throws -> [InvitationView] {
        try access.require(.invite)
        let now = env.clock.now
        let invitations = try await InvitationModel.query(on: db)
            .filter(\.$workspaceID == access.workspaceID).filter(\.$state == InvitationModel.pending)
            .sort(\.$sentAt, .descending).sort(\.$id).all()
        let mails = try await OutboxMessageModel.query(on: db).filter(\.$invitationID ~~ invitations.compactMap(\.id))
            .sort(\.$seq).all()
        // The newest mail per invitation (a resend queues a new one).
        let newest = Dictionary(mails.compactMap { mail in mail.invitationID.map { ($0, mail) } }, uniquingKeysWith: { _, later in later })
        return invitations.map { invitation in
            InvitationView(invitation, now: now, delivery: newest[invitation.id!].map { MailDeliveryView($0, acceptURL: acceptURL(of: invitation)) })
        }
    }

    public func revoke(_ access: WorkspaceAccess, invitationID: UUID, on db: any Database) async throws {
        try access.require(.invite)
        try await db.writeTransaction { tx in
            let invitation = try await findPending(invitationID, in: access.workspaceID, on: tx)
            invitation.state = InvitationModel.revoked
            invitation.closedAt = env.clock.now
            try await invitation.update(on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "invitation.revoked", targetType: "invitation",
                    targetID: invitation.id!.apiString, targetLabel: invitation.email),
                by: access.actor, on: tx)
        }
    }

    /// Sends the invitation again with a new token (the old link stops working)
    /// and a fresh expiry. An expired seat invitation needs a free seat again.
    public func resend(_ access: WorkspaceAccess, invitationID: UUID, on db: any Database) async throws -> InvitationView {
        try access.require(.invite)
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            let invitation = try await findPending(invitationID, in: access.workspaceID, on: tx)
            if invitation.countsAsSeat && invitation.expiresAt <= env.clock.now {
                try await seats.requireRoom(for: 1, in: access.workspaceID, on: tx)
            }
            guard let workspace = try await WorkspaceModel.find(access.workspaceID, on: tx) else { throw DomainError.notFound() }
            try await send(invitation, workspaceName: workspace.name, resent: true, on: tx)
            try await audit.record(
                AuditEntry(
                    workspaceID: access.workspaceID, action: "invitation.resent", targetType: "invitation",
                    targetID: invitation.id!.apiString, targetLabel: invitation.email),
                by: access.actor, on: tx)
            return InvitationView(invitation, now: env.clock.now)
        }
    }

    // MARK: Helpers

    /// Mints a new token, stores its hash, sets the expiry and queues the mail.
    func send(_ invitation: InvitationModel, workspaceName: String, resent: Bool, on tx: any Database) async throws {
        let mail = mint(invitation, workspaceName: workspaceName, resent: resent)
        try await invitation.save(on: tx)
        try await outbox.enqueue(mail, on: tx)
    }

    /// Stores new invitations (ids already set) and queues their mails.
    func sendNew(_ invitations: [InvitationModel], workspaceName: String, on tx: any Database) async throws {
        try await store(invitations.map { ($0, mint($0, workspaceName: workspaceName, resent: false)) }, on: tx)
    }

    /// Stores minted invitations and queues their mails, in multi-row inserts:
    /// an import sends up to `InvitationImportFile.maxRows`.
    func store(_ minted: [(invitation: InvitationModel, mail: OutgoingMail)], on tx: any Database) async throws {
        let invitations = minted.map(\.invitation)
        // 500 rows of 19 columns stay under SQLite's 32,766 binds per statement.
        for start in stride(from: 0, to: invitations.count, by: 500) {
            try await invitations[start..<min(start + 500, invitations.count)].create(on: tx)
        }
        try await outbox.enqueue(minted.map(\.mail), on: tx)
    }

    /// A new token for the invitation (its hash kept, the link sealed for a
    /// failed delivery), a fresh expiry, and the mail that carries the link.
    func mint(_ invitation: InvitationModel, workspaceName: String, resent: Bool) -> OutgoingMail {
        let token = SecureToken.generate()
        let now = env.clock.now
        invitation.tokenHash = SecureToken.hash(token)
        invitation.tokenSealed = env.sealer.seal(token)
        invitation.sentAt = now
        invitation.expiresAt = now.addingTimeInterval(lifetime)
        return CrewMails.invitation(invitation, workspaceName: workspaceName, acceptURL: acceptURL(token: token), resent: resent)
    }

    /// One `invitation.sent` row per invitation, sharing a batch id when several.
    func recordSent(_ invitations: [InvitationModel], access: WorkspaceAccess, on tx: any Database) async throws {
        let batch = invitations.count > 1 ? UUID() : nil
        try await audit.record(
            invitations.map { invitation in
                AuditEntry(
                    workspaceID: access.workspaceID, action: "invitation.sent", targetType: "invitation", targetID: invitation.id!.apiString,
                    targetLabel: invitation.email,
                    after: ["role": invitation.roleText, "permissions": invitation.permissionsText].merging(
                        invitation.accessUntil.map { ["accessUntil": $0.rfc3339] } ?? [:]) { $1 },
                    batchID: batch)
            },
            by: access.actor, on: tx)
    }

    /// The refusal itself is worth knowing about; it is recorded after the rollback.
    func recordSeatRefusal(_ emails: [String], role: String, detail: String, access: WorkspaceAccess, on db: any Database) async throws {
        let shown = emails.prefix(20).joined(separator: ", ") + (emails.count > 20 ? " and \(emails.count - 20) more" : "")
        try await audit.record(
            AuditEntry(
                workspaceID: access.workspaceID, action: "seat.refused", targetType: "invitation", targetID: nil, targetLabel: shown,
                after: ["role": role, "reason": detail]),
            by: access.actor, on: db)
    }

    private func acceptURL(token: String) -> String {
        "\(env.publicURL)/invitations/accept?token=\(token)"
    }

    private func acceptURL(of invitation: InvitationModel) -> String? {
        invitation.tokenSealed.flatMap(env.sealer.open).map(acceptURL(token:))
    }

    func findPending(_ id: UUID, in workspaceID: UUID, on db: any Database) async throws -> InvitationModel {
        guard let invitation = try await InvitationModel.query(on: db)
            .filter(\.$id == id).filter(\.$workspaceID == workspaceID).filter(\.$state == InvitationModel.pending).first()
        else { throw DomainError.notFound("No such pending invitation.") }
        return invitation
    }

    static func validEmails(_ raw: [String]) throws(DomainError) -> [EmailAddress] {
        guard !raw.isEmpty else { throw .invalid("emails", "name at least one email address") }
        guard raw.count <= maxEmailsPerRequest else {
            throw .invalid("emails", "at most \(maxEmailsPerRequest) addresses per request")
        }
        var validator = FieldValidator()
        var seen = Set<String>()
        var emails: [EmailAddress] = []
        for (index, text) in raw.enumerated() {
            let field = raw.count == 1 ? "email" : "emails[\(index)]"
            guard let email = validator.check({ () throws(DomainError) in try EmailAddress(text, field: field) }) else { continue }
            if seen.insert(email.value).inserted { emails.append(email) } else {
                validator.check { () throws(DomainError) in throw .invalid(field, "\(email.value) is listed twice") }
            }
        }
        try validator.finish()
        return emails
    }

    /// Existing members and people with a pending invitation are refused (409).
    func refuseExisting(_ emails: [EmailAddress], in workspaceID: UUID, on db: any Database) async throws {
        let values = emails.map(\.value)
        if let first = try await memberEmails(values, in: workspaceID, on: db).sorted().first {
            throw DomainError.conflict("\(first) is already a member of this workspace.")
        }
        if let first = try await pendingEmails(values, in: workspaceID, on: db).sorted().first {
            throw DomainError.conflict("\(first) already has a pending invitation; resend it instead.")
        }
    }

    /// Which of `emails` (normalised) belong to members of the workspace: from
    /// the people by email to their membership here. `CROSS JOIN` keeps that
    /// order on SQLite, which otherwise walked the workspace's memberships for
    /// each chunk of an import (PostgreSQL plans the join either way).
    func memberEmails(_ emails: [String], in workspaceID: UUID, on db: any Database) async throws -> [String] {
        guard !emails.isEmpty else { return [] }
        return try await (db as! any SQLDatabase).raw(
            """
            SELECT u.email FROM \(unsafeRaw: UserModel.schema) u CROSS JOIN \(unsafeRaw: MembershipModel.schema) m
            WHERE u.email IN (\(binds: emails)) AND m.user_id = u.id AND m.workspace_id = \(bind: workspaceID)
            """
        ).all().map { try $0.decode(column: "email", as: String.self) }
    }

    /// Which of `emails` have an invitation here that is still open.
    func pendingEmails(_ emails: [String], in workspaceID: UUID, on db: any Database) async throws -> [String] {
        try await InvitationModel.query(on: db)
            .filter(\.$workspaceID == workspaceID).filter(\.$state == InvitationModel.pending)
            .filter(\.$expiresAt > env.clock.now).filter(\.$email ~~ emails).all(\.$email)
    }
}

extension InvitationService {
    /// Pending client invitations without mail, for generated datasets only.
    func createBulkForSeeding(workspaceID: UUID, count: Int, tag: String, on db: any Database) async throws -> Int {
        guard count > 0 else { return 0 }
        let now = env.clock.now
        let rows: [InvitationModel] = (0..<count).map { n in
            let invitation = InvitationModel()
            invitation.workspaceID = workspaceID
            invitation.email = "invitee.\(n)-\(tag)@scale.crew.test"
            invitation.roleText = Role.client.rawValue
            invitation.permissions = [.viewAnalytics]
            invitation.allowedPlatforms = []
            invitation.accountIDs = []
            invitation.countsAsSeat = false
            invitation.tokenHash = SecureToken.hash(SecureToken.generate())
            invitation.state = InvitationModel.pending
            invitation.invitedByName = "Scale Owner"
            invitation.createdAt = now
            invitation.sentAt = now
            invitation.expiresAt = now.addingTimeInterval(lifetime)
            return invitation
        }
        try await rows.create(on: db)
        return count
    }
}

extension InvitationModel {
    /// A pending invitation; the token and expiry are set when it is sent.
    convenience init(
        workspaceID: UUID, email: String, role: Role, permissions: Set<ClientPermission>, allowedPlatforms: Set<Platform>,
        accountIDs: [UUID], invitedBy access: WorkspaceAccess, createdAt: Date
    ) {
        self.init()
        self.workspaceID = workspaceID
        self.email = email
        self.roleText = role.rawValue
        self.permissions = permissions
        self.allowedPlatforms = allowedPlatforms
        self.accountIDs = accountIDs
        self.countsAsSeat = Seats.countsAsSeat(role: role, permissions: permissions)
        self.state = InvitationModel.pending
        self.invitedByUserID = access.userID
        self.invitedByName = access.actor.name
        self.createdAt = createdAt
    }
}
