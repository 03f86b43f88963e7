import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// Checks the invariants Crew promises, by recounting from the rows (run after
/// a crash, or any time): seat flags and seat usage within the plan, exactly
/// one owner per workspace, no orphan or cross-workspace grants, no members
/// without a person, link uses within their maximum, no mail both sent and failed.
public struct ConsistencyDoctor: Sendable {
    /// One broken invariant, in words for the operator.
    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        public var check: String
        public var detail: String
        public var description: String { "\(check): \(detail)" }
    }

    /// What was looked at, for the report.
    public struct Report: Sendable {
        public var workspaces = 0
        public var members = 0
        public var violations: [Violation] = []
    }

    let env: CrewEnvironment

    public init(env: CrewEnvironment) {
        self.env = env
    }

    public func examine(on db: any Database) async throws -> Report {
        var report = Report()
        try await checkMembers(&report, on: db)
        try await checkWorkspaces(&report, on: db)
        try await checkGrants(&report, on: db)
        try await checkLinksAndMail(&report, on: db)
        return report
    }

    /// `counts_as_seat` must be what the role and permissions say; every member needs a person.
    private func checkMembers(_ report: inout Report, on db: any Database) async throws {
        let members = try await MembershipModel.query(on: db).all()
        report.members = members.count
        for member in members where member.countsAsSeat != Seats.countsAsSeat(role: member.role, permissions: member.permissions) {
            report.violations.append(.init(check: "seat flag", detail: "member \(member.id!.apiString) is marked \(member.countsAsSeat ? "" : "not ")counting as a seat"))
        }
        let sql = db as! any SQLDatabase
        let orphans = try await sql.raw(
            "SELECT m.id FROM memberships m LEFT JOIN users u ON u.id = m.user_id WHERE u.id IS NULL"
        ).all().map { try $0.decode(column: "id", as: UUID.self) }
        for id in orphans {
            report.violations.append(.init(check: "member without person", detail: "member \(id.apiString) names a user that does not exist"))
        }
    }

    /// One owner each; seats and accounts in use within the plan.
    private func checkWorkspaces(_ report: inout Report, on db: any Database) async throws {
        let ledger = SeatLedger(env: env)
        let workspaces = try await WorkspaceModel.query(on: db).all()
        report.workspaces = workspaces.count
        for workspace in workspaces {
            let id = workspace.id!
            let owners = try await MembershipModel.query(on: db).filter(\.$workspaceID == id).filter(\.$roleText == Role.owner.rawValue).count()
            if owners != 1 {
                report.violations.append(.init(check: "owner", detail: "workspace \(id.apiString) has \(owners) owners"))
            }
            // Recounted from role and permissions, not from the stored flags.
            let members = try await MembershipModel.query(on: db).filter(\.$workspaceID == id).all()
            let invitations = try await ledger.pendingSeatInvitations(in: id, on: db)
            let recount = members.filter { Seats.countsAsSeat(role: $0.role, permissions: $0.permissions) }.count + invitations
            let counted = try await ledger.seatsUsed(in: id, on: db)
            if counted != recount {
                report.violations.append(.init(check: "seat count", detail: "workspace \(id.apiString) counts \(counted) seats but the recount is \(recount)"))
            }
            if let limit = ledger.plan(of: workspace).seatLimit, recount > limit {
                report.violations.append(.init(check: "seat limit", detail: "workspace \(id.apiString) uses \(recount) seats of \(limit)"))
            }
            let accounts = try await SocialAccountModel.countAgainstLimit(in: id, on: db)
            if let limit = ledger.plan(of: workspace).accountLimit, accounts > limit {
                report.violations.append(.init(check: "account limit", detail: "workspace \(id.apiString) has \(accounts) accounts of \(limit)"))
            }
        }
    }

    /// Every grant joins a member and an account of its own workspace.
    private func checkGrants(_ report: inout Report, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let broken = try await sql.raw(
            """
            SELECT g.id FROM account_grants g
            LEFT JOIN memberships m ON m.id = g.membership_id
            LEFT JOIN social_accounts a ON a.id = g.account_id
            WHERE m.id IS NULL OR a.id IS NULL OR m.workspace_id <> g.workspace_id OR a.workspace_id <> g.workspace_id
            """
        ).all().map { try $0.decode(column: "id", as: UUID.self) }
        for id in broken {
            report.violations.append(.init(check: "grant", detail: "grant \(id.apiString) has no member or account in its workspace"))
        }
    }

    private func checkLinksAndMail(_ report: inout Report, on db: any Database) async throws {
        for link in try await InviteLinkModel.query(on: db).all() {
            if link.uses < 0 || (link.maxUses.map { link.uses > $0 } ?? false) {
                report.violations.append(.init(check: "link uses", detail: "link of workspace \(link.workspaceID.apiString) used \(link.uses) times of \(link.maxUses.map(String.init) ?? "unlimited")"))
            }
        }
        let contradictory = try await OutboxMessageModel.query(on: db).filter(\.$sentAt != nil).filter(\.$failedAt != nil).count()
        if contradictory > 0 {
            report.violations.append(.init(check: "mail", detail: "\(contradictory) messages are marked both sent and failed"))
        }
    }
}
