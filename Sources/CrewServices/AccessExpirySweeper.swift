import CrewCore
import CrewStore
import FluentSQL
import Foundation
import Logging
import ServiceLifecycle

/// Access that ends by itself (`AccessExpiry`), in the background: members
/// whose end is `AccessExpiry.noticeLead` away are told once, and members
/// whose end has passed are removed like any removal. Access itself is
/// refused from the clock on every request, so nothing waits on this to run;
/// it frees the seat and tidies the list. Any number of processes may run it:
/// notices are claimed in one statement, removals chosen under the workspace lock.
public struct AccessExpirySweeper: Sendable {
    let env: CrewEnvironment
    let members: MemberService
    let outbox: Outbox

    public init(env: CrewEnvironment) {
        self.env = env
        self.members = MemberService(env: env)
        self.outbox = Outbox(env: env)
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var noticesSent = 0
        public var removed = 0

        public init(noticesSent: Int = 0, removed: Int = 0) {
            self.noticesSent = noticesSent
            self.removed = removed
        }
    }

    /// Sends the notices that are due and removes members whose access ended,
    /// up to `limit` of each.
    public func sweep(limit: Int = 500, on db: any Database) async throws -> Round {
        var round = Round()
        round.noticesSent = try await sendNotices(limit: limit, on: db)
        let now = env.clock.now
        let workspaces = try await db.all(WorkspacesWithEndedAccess(now: now, owner: Role.owner.rawValue, limit: limit), as: WorkspaceID.self)
        for workspace in workspaces {
            round.removed += try await members.removeExpired(in: workspace.id.uuid, limit: limit, on: db)
        }
        return round
    }

    /// Claims the members whose end comes within the lead and who were not
    /// told yet, and queues their notices, in one transaction: a notice is
    /// sent once, and never lost between the claim and the mail.
    private func sendNotices(limit: Int, on db: any Database) async throws -> Int {
        let now = env.clock.now
        return try await db.writeTransaction { tx in
            let claimed = try await WorkClaim.claim(
                MembershipModel.schema, pushing: "access_notice_at", to: now,
                where: """
                    access_until IS NOT NULL AND access_until > \(bind: now) AND access_until <= \(bind: now.addingTimeInterval(AccessExpiry.noticeLead))
                    AND access_notice_at IS NULL
                    """,
                orderBy: ["access_until", "id"], limit: limit, on: tx)
            guard !claimed.isEmpty else { return 0 }
            let rows = try await tx.all(EndingAccess(ids: IDList(claimed)), as: EndingAccessRow.self)
            try await outbox.enqueue(
                rows.map { row in
                    CrewMails.accessEnding(
                        workspaceName: row.workspaceName, workspaceID: row.workspaceID.uuid, until: row.accessUntil, to: row.email,
                        name: row.name, publicURL: env.publicURL)
                },
                on: tx)
            return rows.count
        }
    }
}

/// The workspaces with at least one member (never the owner) whose access
/// ended by `$1`; the partial index on `access_until` finds them.
private struct WorkspacesWithEndedAccess: PreparedStatement {
    static let sql = """
        SELECT DISTINCT workspace_id FROM \(MembershipModel.schema)
        WHERE access_until IS NOT NULL AND access_until <= $1 AND role <> $2 LIMIT $3
        """
    let now: Date
    let owner: String
    let limit: Int
    var values: [any PreparedValue] { [now, owner, limit] }
}

private struct WorkspaceID: PreparedRow {
    var id: RowID

    init(reading columns: inout ColumnReader) throws {
        id = try columns.next("workspace_id")
    }
}

/// What an access-ending notice needs of each claimed membership.
private struct EndingAccess: PreparedStatement {
    static let sql = select(IDList.postgres("m.id", in: "$1"))
    static let sqliteSQL = select(IDList.sqlite("m.id", in: "$1"))
    let ids: IDList
    var values: [any PreparedValue] { [ids] }

    private static func select(_ chosen: String) -> String {
        """
        SELECT m.workspace_id, m.access_until, u.email, u.name, w.name AS workspace_name
        FROM \(MembershipModel.schema) m JOIN \(UserModel.schema) u ON u.id = m.user_id
        JOIN \(WorkspaceModel.schema) w ON w.id = m.workspace_id
        WHERE \(chosen)
        """
    }
}

private struct EndingAccessRow: PreparedRow {
    var workspaceID: RowID
    var accessUntil: Date
    var email: String
    var name: String
    var workspaceName: String

    init(reading columns: inout ColumnReader) throws {
        workspaceID = try columns.next("workspace_id")
        accessUntil = try columns.next("access_until")
        email = try columns.next("email")
        name = try columns.next("name")
        workspaceName = try columns.next("workspace_name")
    }
}

/// Runs the sweeper every minute in the background.
public struct AccessExpiryService: Service, CustomStringConvertible {
    public var description: String { "AccessExpiryService" }

    let sweeper: AccessExpirySweeper
    let database: DatabaseService
    let interval: Duration
    let logger: Logger

    public init(sweeper: AccessExpirySweeper, database: DatabaseService, interval: Duration = .seconds(60), logger: Logger) {
        self.sweeper = sweeper
        self.database = database
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await BackgroundLoop(database: database, interval: interval, logger: logger, name: "access expiry").run {
            let round = try await sweeper.sweep(on: database.database(logger: logger))
            if round.removed > 0 || round.noticesSent > 0 {
                logger.info("access expiry", metadata: ["removed": "\(round.removed)", "notices": "\(round.noticesSent)"])
            }
            return false
        }
    }
}
