import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// Why one id of a bulk removal was refused.
public struct Refusal: Codable, Sendable, Equatable {
    public var id: String
    public var code: String
    public var detail: String
}

/// A bulk request refused as a whole, with a reason per refused id.
public struct BulkRefused: Error, Sendable, Equatable {
    public var refused: [Refusal]

    /// 403 when any refusal is about permission, else 409.
    public var status: Int {
        refused.contains { ["forbidden", "role_escalation"].contains($0.code) } ? 403 : 409
    }
}

/// The ids of a bulk request: some, at most `limit`, none twice.
public enum BulkIDs {
    /// The most ids one bulk request takes.
    public static let limit = 1000

    static func check(_ ids: [String], field: String) throws(DomainError) {
        guard !ids.isEmpty else { throw DomainError.invalid(field, "must name at least one") }
        guard ids.count <= limit else { throw DomainError.invalid(field, "at most \(limit) per request, got \(ids.count)") }
        let duplicates = Dictionary(grouping: ids.map { $0.lowercased() }, by: { $0 }).filter { $0.value.count > 1 }.keys
        guard duplicates.isEmpty else {
            throw DomainError.invalid(field, "lists \(duplicates.sorted().prefix(3).joined(separator: ", ")) more than once")
        }
    }
}

extension MemberService {
    /// The most ids one bulk removal takes.
    public static let bulkLimit = BulkIDs.limit

    /// Removes one member (DESIGN §6). Nothing but the membership, its grants and
    /// the invitations it sent is touched.
    public func remove(_ access: WorkspaceAccess, memberID: UUID, on db: any Database) async throws {
        do {
            _ = try await removeMany(access, ids: [memberID.apiString], on: db)
        } catch let refusal as BulkRefused {
            // One id: answer with that id's own error rather than a bulk refusal.
            guard let first = refusal.refused.first else { throw refusal }
            throw DomainError(code: first.code, detail: first.detail) ?? DomainError.conflict(first.detail)
        }
    }

    /// Removes several members at once: every id is validated first and either all
    /// go or none does. One batch id ties the audit events together.
    /// - Returns: the removed member ids.
    public func removeMany(_ access: WorkspaceAccess, ids: [String], on db: any Database) async throws -> [String] {
        try access.require(.manageMembers)
        try BulkIDs.check(ids, field: "memberIds")
        return try await db.workspaceTransaction(access.workspaceID) { tx in
            let parsed = ids.map { UUID(uuidString: $0) }
            let valid = parsed.compactMap { $0 }
            // The members with their emails as plain rows in one statement (1,000 whole
            // membership and user models were a quarter of a bulk removal's time).
            let found = valid.isEmpty ? [] : try await tx.all(RemovalCandidates(workspaceID: access.workspaceID, ids: IDList(valid)), as: RemovalRow.self)
            let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.memberID, $0) })
            var refused: [Refusal] = []
            var targets: [RemovalRow] = []
            for (text, id) in zip(ids, parsed) {
                guard let id, let member = byID[id] else {
                    refused.append(Refusal(id: text, code: "not_found", detail: "No such member."))
                    continue
                }
                do throws(DomainError) {
                    try MembershipRules.checkRemoval(actor: access.role, target: Role(rawValue: member.role) ?? .client)
                    targets.append(member)
                } catch {
                    refused.append(Refusal(id: text, code: error.code, detail: error.detail))
                }
            }
            guard refused.isEmpty else { throw BulkRefused(refused: refused) }
            try await carryOut(targets, in: access.workspaceID, by: access.actor, on: tx) { workspaceName in
                CrewMails.memberRemoved(
                    workspaceName: workspaceName, workspaceID: access.workspaceID, removerName: access.actor.name, to: "",
                    publicURL: env.publicURL)
            }
            return targets.map { $0.memberID.apiString }
        }
    }

    /// Who removes members whose access ran out, in audit rows and mails.
    public static let accessExpiryActor = Actor(userID: nil, name: "Crew (access ended)", ip: nil)

    /// Removes up to `limit` members of one workspace whose access has ended
    /// (`AccessExpiry`), as any removal: grants gone, invitations they sent
    /// revoked, an audit row each (reason `access_ended`) and a mail. Chosen
    /// under the workspace lock, so two processes sweeping at once never
    /// remove anyone twice. The owner is never removed.
    /// - Returns: how many were removed.
    public func removeExpired(in workspaceID: UUID, limit: Int = 1_000, on db: any Database) async throws -> Int {
        try await db.workspaceTransaction(workspaceID) { tx in
            let now = env.clock.now
            let expired = try await tx.all(
                ExpiredMembers(workspaceID: workspaceID, now: now, owner: Role.owner.rawValue, limit: limit), as: RemovalRow.self)
            guard !expired.isEmpty else { return 0 }
            try await carryOut(expired, in: workspaceID, by: Self.accessExpiryActor, reason: "access_ended", on: tx) { workspaceName in
                CrewMails.accessEnded(workspaceName: workspaceName, workspaceID: workspaceID, to: "", publicURL: env.publicURL)
            }
            return expired.count
        }
    }

    /// Removes `targets` (checked already, under the workspace lock): the rows,
    /// one audit row each (tied by a batch id when several), and the notice
    /// `notice` renders once for the workspace's name and addresses to each.
    private func carryOut(
        _ targets: [RemovalRow], in workspaceID: UUID, by actor: Actor, reason: String? = nil, on tx: any Database,
        notice: (String) -> OutgoingMail
    ) async throws {
        try await removeRows(ids: targets.map(\.memberID), userIDs: targets.map(\.userID), workspaceID: workspaceID, on: tx)
        let batch = targets.count > 1 ? UUID() : nil
        try await audit.record(
            targets.map { member in
                AuditEntry(
                    workspaceID: workspaceID, action: "member.removed", targetType: "member",
                    targetID: member.memberID.apiString, targetLabel: member.email,
                    before: ["role": member.role, "permissions": member.permissions],
                    after: reason.map { ["reason": $0, "accessUntil": member.accessUntil?.rfc3339 ?? ""] }, batchID: batch)
            },
            by: actor, on: tx)
        // The people removed hear of it (one multi-row insert, even for 1,000).
        let workspaceName = try await WorkspaceModel.find(workspaceID, on: tx)?.name ?? "a workspace"
        let rendered = notice(workspaceName)
        try await Outbox(env: env).enqueue(
            targets.map { member in
                var mail = rendered
                mail.to = member.email
                return mail
            },
            on: tx)
    }

    /// Deletes memberships with their grants and revokes the invitations they sent.
    /// Posts, social accounts, the users and audit history stay.
    func removeRows(ids: [UUID], userIDs: [UUID], workspaceID: UUID, on tx: any Database) async throws {
        guard !ids.isEmpty else { return }
        try await tx.run(DeleteGrants(memberships: IDList(ids)))
        try await tx.run(DeleteMemberships(ids: IDList(ids)))
        try await tx.run(
            RevokeInvitationsSent(
                revoked: InvitationModel.revoked, closedAt: env.clock.now, workspaceID: workspaceID, pending: InvitationModel.pending,
                senders: IDList(userIDs)))
    }
}

/// The members of a workspace among `ids`, with what the audit row and the
/// notice need.
private struct RemovalCandidates: PreparedStatement {
    static let sql = select(IDList.postgres("m.id", in: "$2"))
    static let sqliteSQL = select(IDList.sqlite("m.id", in: "$2"))
    let workspaceID: UUID
    let ids: IDList
    var values: [any PreparedValue] { [workspaceID, ids] }

    static func select(_ chosen: String) -> String {
        """
        SELECT m.id, m.user_id, m.role, m.permissions, m.access_until, u.email
        FROM \(MembershipModel.schema) m JOIN \(UserModel.schema) u ON u.id = m.user_id
        WHERE m.workspace_id = $1 AND \(chosen)
        """
    }
}

/// Members of a workspace whose access ended by `$2`, never the owner
/// (`$3`), the earliest ends first, at most `$4`.
private struct ExpiredMembers: PreparedStatement {
    static let sql = RemovalCandidates.select("m.access_until <= $2 AND m.role <> $3") + " ORDER BY m.access_until, m.id LIMIT $4"
    let workspaceID: UUID
    let now: Date
    let owner: String
    let limit: Int
    var values: [any PreparedValue] { [workspaceID, now, owner, limit] }
}

/// The grants of these memberships (a removal, or a bulk edit replacing them).
struct DeleteGrants: PreparedStatement {
    static let sql = "DELETE FROM \(AccountGrantModel.schema) WHERE \(IDList.postgres("membership_id", in: "$1"))"
    static let sqliteSQL = "DELETE FROM \(AccountGrantModel.schema) WHERE \(IDList.sqlite("membership_id", in: "$1"))"
    let memberships: IDList
    var values: [any PreparedValue] { [memberships] }
}

private struct DeleteMemberships: PreparedStatement {
    static let sql = "DELETE FROM \(MembershipModel.schema) WHERE \(IDList.postgres("id", in: "$1"))"
    static let sqliteSQL = "DELETE FROM \(MembershipModel.schema) WHERE \(IDList.sqlite("id", in: "$1"))"
    let ids: IDList
    var values: [any PreparedValue] { [ids] }
}

/// The pending invitations the removed people sent in the workspace.
private struct RevokeInvitationsSent: PreparedStatement {
    static let sql = revoke(IDList.postgres("invited_by_user_id", in: "$5"))
    static let sqliteSQL = revoke(IDList.sqlite("invited_by_user_id", in: "$5"))
    let revoked: String
    let closedAt: Date
    let workspaceID: UUID
    let pending: String
    let senders: IDList
    var values: [any PreparedValue] { [revoked, closedAt, workspaceID, pending, senders] }

    private static func revoke(_ sent: String) -> String {
        "UPDATE \(InvitationModel.schema) SET state = $1, closed_at = $2 WHERE workspace_id = $3 AND state = $4 AND \(sent)"
    }
}

/// A member to remove, with what the audit row and the notice need.
struct RemovalRow: PreparedRow {
    private var id: RowID
    private var user_id: RowID
    var role: String
    var permissions: String
    var accessUntil: Date?
    var email: String

    var memberID: UUID { id.uuid }
    var userID: UUID { user_id.uuid }

    init(reading columns: inout ColumnReader) throws {
        id = try columns.next("id")
        user_id = try columns.next("user_id")
        role = try columns.next("role")
        permissions = try columns.next("permissions")
        accessUntil = try columns.next("access_until")
        email = try columns.next("email")
    }
}
