import CrewCore
import CrewStore
import Foundation

/// A change someone is about to make, for `SeatPreviewService`.
public enum SeatChange: Sendable {
    /// Invite these emails with this role and these client permissions.
    case invitation(emails: [String], role: String, permissions: [String])
    /// Give a member another role and/or client permissions.
    case member(id: UUID, role: String?, permissions: [String]?)
    /// Give the client invite link these permissions: what the next joiner takes.
    case link(permissions: [String])
    /// Move the workspace to another plan.
    case plan(String)
}

/// Seats before and after a proposed change, and whether it fits.
public struct SeatPreview: Codable, Sendable, Equatable {
    public var before: Usage
    public var after: Usage
    public var fits: Bool
    /// One sentence for the person about to confirm.
    public var detail: String
}

/// Answers what a change would do to the plan's seats without changing
/// anything (DESIGN.md §8 "seat preview"): the same validation as the change
/// itself (bad input gets the change's own error), then the seat count.
public struct SeatPreviewService: Sendable {
    let env: CrewEnvironment
    let seats: SeatLedger

    public init(env: CrewEnvironment) {
        self.env = env
        self.seats = SeatLedger(env: env)
    }

    public func preview(_ access: WorkspaceAccess, _ change: SeatChange, on db: any Database) async throws -> SeatPreview {
        guard let workspace = try await WorkspaceModel.find(access.workspaceID, on: db) else { throw DomainError.notFound() }
        let before = try await seats.usage(of: workspace, on: db)
        switch change {
        case .invitation(let emails, let roleText, let permissionNames):
            try access.require(.invite)
            let role = try Self.role(roleText)
            try MembershipRules.checkInvite(actor: access.role, role: role)
            let addresses = try InvitationService.validEmails(emails)
            let permissions = try AccessGrants.validPermissions(permissionNames, for: role)
            try await InvitationService(env: env).refuseExisting(addresses, in: access.workspaceID, on: db)
            let taken = Seats.countsAsSeat(role: role, permissions: permissions) ? addresses.count : 0
            let who = addresses.count == 1 ? "This \(role.rawValue)" : "These \(addresses.count) \(role.rawValue)s"
            return answer(before, adding: taken, what: taken == 0 ? "\(who) will not take a seat" : "\(who) will take \(Self.seats(taken))")
        case .member(let id, let roleText, let permissionNames):
            try access.require(.manageMembers)
            guard let member = try await MembershipModel.query(on: db).filter(\.$id == id).filter(\.$workspaceID == access.workspaceID).first()
            else { throw DomainError.notFound("No such member.") }
            let role = try roleText.map(Self.role) ?? member.role
            try MembershipRules.checkRoleChange(actor: access.role, from: member.role, to: role)
            let permissions = try permissionNames.map { names throws(DomainError) in try AccessGrants.validPermissions(names, for: role) }
                ?? member.permissions.filter { (try? AccessGrants.validPermissions([$0.rawValue], for: role)) != nil }
            let change = (Seats.countsAsSeat(role: role, permissions: permissions) ? 1 : 0) - (member.countsAsSeat ? 1 : 0)
            let what = change > 0 ? "This change takes a seat" : change < 0 ? "This change frees a seat" : "This change keeps the seats as they are"
            return answer(before, adding: change, what: what)
        case .link(let permissionNames):
            try access.require(.editInviteLink)
            let permissions = try AccessGrants.validPermissions(permissionNames, for: .client)
            let taken = Seats.countsAsSeat(role: .client, permissions: permissions) ? 1 : 0
            var preview = answer(before, adding: taken, what: taken == 0 ? "Joiners will not take a seat" : "Each joiner will take a seat")
            if !preview.fits { preview.detail += " — no seat is free, so joiners will be refused." }
            return preview
        case .plan(let id):
            try access.require(.changePlan)
            let plan = try env.plans.require(id)
            let after = Usage(limit: plan.seatLimit, used: before.used)
            let fits = after.allows(adding: 0)
            return SeatPreview(
                before: before, after: after, fits: fits,
                detail: fits
                    ? "On \(plan.id): \(Self.text(after)) used."
                    : "On \(plan.id): \(before.used) seats are in use but the plan has \(plan.seatLimit ?? 0); remove members or revoke invitations first.")
        }
    }

    /// What `invitations` new invitations, `taken` of them seats, would do
    /// (a CSV import's preview).
    func previewAdding(_ taken: Int, invitations: Int, in workspaceID: UUID, on db: any Database) async throws -> SeatPreview {
        guard let workspace = try await WorkspaceModel.find(workspaceID, on: db) else { throw DomainError.notFound() }
        let before = try await seats.usage(of: workspace, on: db)
        let who = invitations == 1 ? "This invitation" : "These \(invitations) invitations"
        return answer(before, adding: taken, what: taken == 0 ? "\(who) take no seat" : "\(who) take \(Self.seats(taken))")
    }

    private func answer(_ before: Usage, adding change: Int, what: String) -> SeatPreview {
        let after = Usage(limit: before.limit, used: max(0, before.used + change))
        let fits = change <= 0 || before.allows(adding: change)
        return SeatPreview(before: before, after: after, fits: fits, detail: "\(what): \(Self.text(after)) used after.")
    }

    private static func role(_ text: String) throws(DomainError) -> Role {
        guard let role = Role(rawValue: text) else {
            throw DomainError.invalid("role", "unknown role '\(text.prefix(40))'; expected one of admin, manager, editor, client")
        }
        return role
    }

    private static func seats(_ count: Int) -> String { count == 1 ? "a seat" : "\(count) seats" }

    /// `5 of 5`, `3 of unlimited`.
    static func text(_ usage: Usage) -> String {
        "\(usage.used) of \(usage.limit.map(String.init) ?? "unlimited")"
    }
}
