import CrewCore
import CrewStore
import Foundation

extension InviteLinkService {
    /// PostgreSQL's join for the common case — a link without approval or
    /// account grants, for a join that needs no seat counted (the caller
    /// decides: no seat taken, or a plan without a seat limit) — in one statement outside any transaction: the shared
    /// workspace lock, the use counted, the membership and its audit event.
    /// A transaction of its own was five round trips (`BEGIN`, lock and
    /// insert, grants, count, `COMMIT`) while other joins waited on the link row.
    ///
    /// The statement writes only if everything is as `probe` read it: the
    /// link (same token, same edit, uses left), the plan, and the joiner not
    /// yet a member. Otherwise it writes nothing and this answers nil, and
    /// the caller joins in a transaction, which finds out why (an edit, a full
    /// link, an existing member). The same person joining twice at once
    /// breaks the unique membership index and the statement undoes itself.
    /// - Returns: the new member, or nil when the join must go the long way.
    func admitInOneStatement(_ joiner: Joiner, probe: InviteLinkModel, plan: String, on db: any Database) async throws -> MemberView? {
        guard db.isPostgres, !probe.requireApproval, probe.accountIDs.isEmpty, let linkID = probe.id else { return nil }
        let identity = joiner.identity
        let member = newClient(
            userID: identity.userID, workspaceID: probe.workspaceID, permissions: probe.permissions, platforms: probe.allowedPlatforms,
            accessDays: probe.accessDays)
        let event = joinedEvent(member, joiner: joiner, probe: probe)
        let link: [any PreparedValue] = [probe.tokenHash, linkID, EditStamp.of(probe.updatedAt), plan]
        let written: Int
        do {
            let row = try await db.first(AdmitInOneStatement(values: try member.insertValues + audit.values(of: event, by: joiner.actor) + link))
            written = try row?.decode(column: "inserted", as: Int.self) ?? 0
        } catch let error where DatabaseErrors.isUniqueViolation(error) {
            return nil
        }
        guard written == 1 else { return nil }
        _ = member.markSaved(true)
        return joinedView(member, identity: identity, grants: [])
    }

    /// The link's last edit as a whole number of microseconds since 1970:
    /// compared in SQL, where a time bound from a `Date` may land a
    /// microsecond off the stored one (a mismatch only sends the join the
    /// long way).
    enum EditStamp {
        static func of(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1_000_000).rounded()) }
        static func sql(_ column: String) -> String { "(EXTRACT(EPOCH FROM \(column)) * 1000000)::bigint" }
    }

    /// $1–$10 the membership (`MembershipModel.insertValues`), $11–$23 its audit
    /// event (`AuditLog.values`), $24 the token's hash, $25 the link's id, $26
    /// its `EditStamp`, $27 the plan the probe read. Answers how many
    /// memberships it wrote (0 or 1).
    private struct AdmitInOneStatement: PreparedStatement {
        static let sql = """
            WITH locked AS (SELECT plan FROM \(WorkspaceModel.schema) WHERE id = $2 FOR SHARE),
            counted AS (
                UPDATE \(InviteLinkModel.schema) SET uses = uses + 1
                WHERE token_hash = $24 AND id = $25 AND \(EditStamp.sql("updated_at")) = $26
                AND (max_uses IS NULL OR uses < max_uses)
                AND EXISTS (SELECT 1 FROM locked WHERE plan = $27)
                AND NOT EXISTS (SELECT 1 FROM \(MembershipModel.schema) WHERE workspace_id = $2 AND user_id = $3)
                RETURNING id),
            inserted AS (
                INSERT INTO \(MembershipModel.schema) (\(MembershipModel.insertColumns)) SELECT \(placeholders(1...10)) FROM counted
                RETURNING id),
            also AS (INSERT INTO \(AuditEventModel.schema) (\(AuditLog.columns)) SELECT \(placeholders(11...23)) FROM inserted)
            SELECT COUNT(*) AS inserted FROM inserted
            """
        let values: [any PreparedValue]
    }
}
