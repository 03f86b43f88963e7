import CrewCore
import CrewStore
import FluentSQL
import Foundation

extension MemberService {
    /// Edits many members the same way (DESIGN.md §8 "bulk edits"): every id is
    /// checked first and either all change or none does, with a reason per
    /// refused id; seats are checked once for the whole batch under the
    /// workspace lock; one audit row per changed member, tied by a batch id.
    /// - Returns: the ids of the members that changed.
    public func updateMany(_ access: WorkspaceAccess, ids: [String], patch: MemberPatch, on db: any Database) async throws -> [String] {
        try access.require(.manageMembers)
        try BulkIDs.check(ids, field: "memberIds")
        guard patch.role != nil || patch.permissions != nil || patch.allowedPlatforms != nil || patch.accountIds != nil
            || patch.accessUntil != nil
        else {
            throw DomainError.invalid("body", "give at least one of role, permissions, allowedPlatforms, accountIds or accessUntil")
        }
        let newRole = try Self.role(in: patch)
        if case .some(.some(let until)) = patch.accessUntil { _ = try AccessExpiry.validEnd(until, now: env.clock.now) }
        let now = env.clock.now
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            var accounts: [UUID]?
            if let names = patch.accountIds { accounts = try await AccessGrants.validAccounts(names, in: access.workspaceID, on: tx) }
            let parsed = ids.map { UUID(uuidString: $0) }
            let valid = parsed.compactMap { $0 }
            let found = valid.isEmpty ? [] : try await MembershipModel.query(on: tx)
                .filter(\.$workspaceID == access.workspaceID).filter(\.$id ~~ valid).all()
            let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.id!, $0) })
            let grantsBefore = try await AccessGrants.grants(of: found.map { $0.id! }, on: tx)
            var refused: [Refusal] = []
            var edits: [(member: MembershipModel, before: [String: String])] = []
            var seatChange = 0
            for (text, id) in zip(ids, parsed) {
                guard let id, let member = byID[id] else {
                    refused.append(Refusal(id: text, code: "not_found", detail: "No such member."))
                    continue
                }
                let before = Self.audited(member, grants: grantsBefore[id] ?? [])
                let wasSeat = member.countsAsSeat
                do throws(DomainError) {
                    try Self.apply(patch, role: newRole, to: member, actor: access.role, now: now)
                } catch {
                    refused.append(Refusal(id: text, code: error.code, detail: error.detail))
                    continue
                }
                seatChange += (member.countsAsSeat ? 1 : 0) - (wasSeat ? 1 : 0)
                edits.append((member, before))
            }
            guard refused.isEmpty else { throw BulkRefused(refused: refused) }
            if seatChange > 0 { try await seats.requireRoom(for: seatChange, in: access.workspaceID, on: tx) }
            try await writeEdits(edits.map(\.member), grants: accounts, workspaceID: access.workspaceID, on: tx)
            let batch = edits.count > 1 ? UUID() : nil
            let entries = try await auditEntries(edits, grants: accounts, grantsBefore: grantsBefore, access: access, batch: batch, on: tx)
            try await audit.record(entries, by: access.actor, on: tx)
            return edits.map { $0.member.id!.apiString }
        }
    }

    /// The role a patch names, if any.
    static func role(in patch: MemberPatch) throws(DomainError) -> Role? {
        try patch.role.map { text throws(DomainError) in
            guard let role = Role(rawValue: text) else { throw DomainError.invalid("role", "unknown role '\(text.prefix(40))'") }
            return role
        }
    }

    /// The patch applied to one member in memory, within the escalation rules:
    /// a single edit and every member of a bulk edit go through here.
    static func apply(_ patch: MemberPatch, role newRole: Role?, to member: MembershipModel, actor: Role, now: Date) throws(DomainError) {
        let role = newRole ?? member.role
        try MembershipRules.checkRoleChange(actor: actor, from: member.role, to: role)
        member.role = role
        if let names = patch.permissions {
            member.permissions = try AccessGrants.validPermissions(names, for: role)
        } else {
            // Permissions a new role cannot hold are dropped with the change.
            member.permissions = member.permissions.filter { (try? AccessGrants.validPermissions([$0.rawValue], for: role)) != nil }
        }
        if let names = patch.allowedPlatforms {
            member.allowedPlatforms = try AccessGrants.validPlatforms(names, for: role)
        }
        if case .some(let until) = patch.accessUntil {
            member.accessUntil = try until.map { until throws(DomainError) in try AccessExpiry.validEnd(until, now: now, for: role) }
            // A new end earns a new notice before it.
            member.accessNoticeAt = nil
        } else if role == .owner {
            member.accessUntil = nil
        }
    }

    /// One UPDATE per distinct outcome (a bulk role change is usually one),
    /// then the grants replaced for all at once when the patch names accounts.
    private func writeEdits(_ members: [MembershipModel], grants: [UUID]?, workspaceID: UUID, on tx: any Database) async throws {
        let groups = Dictionary(grouping: members) {
            OutcomeKey(
                role: $0.roleText, permissions: $0.permissionsText, platforms: $0.allowedPlatformsText, accessUntil: $0.accessUntil,
                accessNoticeAt: $0.accessNoticeAt)
        }
        for (key, group) in groups {
            try await tx.run(
                UpdateMemberships(
                    role: key.role, permissions: key.permissions, platforms: key.platforms, countsAsSeat: group[0].countsAsSeat,
                    accessUntil: key.accessUntil, accessNoticeAt: key.accessNoticeAt, ids: IDList(group.map { $0.id! })))
        }
        guard let grants else { return }
        let ids = members.map { $0.id! }
        try await tx.run(DeleteGrants(memberships: IDList(ids)))
        let rows = ids.flatMap { id in grants.map { AccountGrantModel(membershipID: id, accountID: $0, workspaceID: workspaceID) } }
        for start in stride(from: 0, to: rows.count, by: 500) {
            try await Array(rows[start..<min(start + 500, rows.count)]).create(on: tx)
        }
    }

    private func auditEntries(
        _ edits: [(member: MembershipModel, before: [String: String])], grants: [UUID]?, grantsBefore: [UUID: [UUID]],
        access: WorkspaceAccess, batch: UUID?, on tx: any Database
    ) async throws -> [AuditEntry] {
        let emails = try await UserModel.query(on: tx).filter(\.$id ~~ edits.map(\.member.userID)).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.email }
        return edits.compactMap { edit in
            let after = Self.audited(edit.member, grants: grants ?? grantsBefore[edit.member.id!] ?? [])
            guard after != edit.before else { return nil }
            return AuditEntry(
                workspaceID: access.workspaceID, action: "member.updated", targetType: "member", targetID: edit.member.id!.apiString,
                targetLabel: emails[edit.member.userID] ?? "", before: edit.before, after: after, batchID: batch)
        }
    }

    /// The fields an edit's audit row shows, as a single edit records them.
    static func audited(_ member: MembershipModel, grants: [UUID]) -> [String: String] {
        [
            "role": member.roleText, "permissions": member.permissions.sorted().map(\.rawValue).joined(separator: ","),
            "allowedPlatforms": member.allowedPlatforms.sorted().map(\.rawValue).joined(separator: ","),
            "accountIds": grants.map(\.apiString).sorted().joined(separator: ","),
            "accessUntil": member.accessUntil?.rfc3339 ?? "",
        ]
    }
}

private struct OutcomeKey: Hashable {
    var role: String
    var permissions: String
    var platforms: String
    var accessUntil: Date?
    var accessNoticeAt: Date?
}

private struct UpdateMemberships: PreparedStatement {
    static let sql = statement(IDList.postgres("id", in: "$7"))
    static let sqliteSQL = statement(IDList.sqlite("id", in: "$7"))
    let role: String
    let permissions: String
    let platforms: String
    let countsAsSeat: Bool
    let accessUntil: Date?
    let accessNoticeAt: Date?
    let ids: IDList
    var values: [any PreparedValue] { [role, permissions, platforms, countsAsSeat, accessUntil, accessNoticeAt, ids] }

    private static func statement(_ chosen: String) -> String {
        """
        UPDATE \(MembershipModel.schema) SET role = $1, permissions = $2, allowed_platforms = $3, counts_as_seat = $4,
        access_until = $5, access_notice_at = $6 WHERE \(chosen)
        """
    }
}
