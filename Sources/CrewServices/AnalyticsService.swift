import CrewConnectors
import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// Numbers of one day or one period, summed over the report's accounts.
public struct MetricTotals: Codable, Sendable, Equatable {
    /// Audience at the end of the period (sum over accounts of the last day's followers).
    public var followers: Int
    /// Followers at the end minus followers at the start.
    public var followersGained: Int
    public var impressions: Int
    public var engagements: Int
    public var clicks: Int
    public var postsPublished: Int
    /// Engagements per impression, in percent.
    public var engagementRate: Double

    public static let zero = MetricTotals(followers: 0, followersGained: 0, impressions: 0, engagements: 0, clicks: 0, postsPublished: 0, engagementRate: 0)
}

/// One day of the series.
public struct MetricDay: Codable, Sendable, Equatable {
    public var day: String
    public var followers: Int
    public var impressions: Int
    public var engagements: Int
    public var clicks: Int
    public var postsPublished: Int
}

/// Percent change of each total against the previous period (nil where the previous was 0).
public struct MetricChange: Codable, Sendable, Equatable {
    public var followers: Double?
    public var impressions: Double?
    public var engagements: Double?
    public var clicks: Double?
    public var postsPublished: Double?
}

/// `GET analytics`: totals for the range, the previous period of the same
/// length, the change, and one entry per day (days without data are zero).
public struct AnalyticsReport: Codable, Sendable, Equatable {
    public var accounts: [AccountRef]
    public var from: String
    public var to: String
    public var totals: MetricTotals
    public var previous: MetricTotals
    public var change: MetricChange
    public var series: [MetricDay]
}

/// Analytics (DESIGN §5): daily metrics per account, stored as the platform
/// reports them (`store(_:for:)`, called by `PlatformSync`), and reports over a
/// date range. Readable on assigned accounts by managers and above, and by
/// editors and clients with `view_analytics`.
public struct AnalyticsService: Sendable {
    let env: CrewEnvironment

    public init(env: CrewEnvironment) {
        self.env = env
    }

    /// The accounts a report covers: those named (each must be assigned, else
    /// 404, and readable, else 403), or every readable account of the caller.
    public func accounts(_ access: WorkspaceAccess, named: [String], on db: any Database) async throws -> [SocialAccountModel] {
        if named.isEmpty {
            try access.require(.viewAnalytics, accountAssigned: true)
            var query = SocialAccountModel.query(on: db).filter(\.$workspaceID == access.workspaceID)
            if let assigned = try await access.assignedAccountIDs(on: db) { query = query.filter(\.$id ~~ assigned) }
            return try await query.sort(\.$name).all()
        }
        var accounts: [SocialAccountModel] = []
        for text in named {
            guard let id = UUID(uuidString: text), let account = try await SocialAccountModel.find(id, on: db),
                account.workspaceID == access.workspaceID, try await access.isAssigned(id, on: db)
            else { throw DomainError.notFound("No such social account.") }
            if !accounts.contains(where: { $0.id == id }) { accounts.append(account) }
        }
        try access.require(.viewAnalytics, accountAssigned: true)
        return accounts
    }

    public func report(_ access: WorkspaceAccess, accountIds: [String], range: DayRange, on db: any Database) async throws -> AnalyticsReport {
        let accounts = try await accounts(access, named: accountIds, on: db)
        let previous = range.previous
        var byDay: [String: MetricDay] = [:]
        if !accounts.isEmpty {
            let sql = db as! any SQLDatabase
            let rows = try await sql.select()
                .column("day")
                .column(SQLFunction("SUM", args: SQLIdentifier("followers")), as: "followers")
                .column(SQLFunction("SUM", args: SQLIdentifier("impressions")), as: "impressions")
                .column(SQLFunction("SUM", args: SQLIdentifier("engagements")), as: "engagements")
                .column(SQLFunction("SUM", args: SQLIdentifier("clicks")), as: "clicks")
                .column(SQLFunction("SUM", args: SQLIdentifier("posts_published")), as: "posts_published")
                .from(AccountMetricModel.schema)
                .where("account_id", .in, SQLBind.group(accounts.map { $0.id! }))
                .where("day", .greaterThanOrEqual, SQLBind(previous.from.description))
                .where("day", .lessThanOrEqual, SQLBind(range.to.description))
                .groupBy("day")
                .all()
            for row in rows {
                let day = try row.decode(column: "day", as: String.self)
                byDay[day] = MetricDay(
                    day: day, followers: try Self.int(row, "followers"), impressions: try Self.int(row, "impressions"),
                    engagements: try Self.int(row, "engagements"), clicks: try Self.int(row, "clicks"),
                    postsPublished: try Self.int(row, "posts_published"))
            }
        }
        func series(_ range: DayRange) -> [MetricDay] {
            range.days.map { byDay[$0.description] ?? MetricDay(day: $0.description, followers: 0, impressions: 0, engagements: 0, clicks: 0, postsPublished: 0) }
        }
        let current = series(range)
        let totals = Self.totals(current)
        let before = Self.totals(series(previous))
        return AnalyticsReport(
            accounts: accounts.map { AccountRef(id: $0.id!.apiString, name: $0.name, platform: $0.platform) },
            from: range.from.description, to: range.to.description, totals: totals, previous: before,
            change: MetricChange(
                followers: Self.change(totals.followers, before.followers), impressions: Self.change(totals.impressions, before.impressions),
                engagements: Self.change(totals.engagements, before.engagements), clicks: Self.change(totals.clicks, before.clicks),
                postsPublished: Self.change(totals.postsPublished, before.postsPublished)),
            series: current)
    }

    /// One row per account and day, for spreadsheets.
    public func csv(_ access: WorkspaceAccess, accountIds: [String], range: DayRange, on db: any Database) async throws -> String {
        let accounts = try await accounts(access, named: accountIds, on: db)
        var out = "day,account,platform,followers,impressions,engagements,clicks,posts_published\r\n"
        guard !accounts.isEmpty else { return out }
        let names = Dictionary(accounts.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        // A year of 50 accounts is 18,250 rows: plain rows of the printed columns
        // (whole Fluent models made this ~4× slower, bench/NOTES.md).
        let sql = db as! any SQLDatabase
        let rows = try await sql.select()
            .columns("day", "account_id", "followers", "impressions", "engagements", "clicks", "posts_published")
            .from(AccountMetricModel.schema)
            .where("account_id", .in, SQLBind.group(accounts.map { $0.id! }))
            .where("day", .greaterThanOrEqual, SQLBind(range.from.description))
            .where("day", .lessThanOrEqual, SQLBind(range.to.description))
            .orderBy("day").orderBy("account_id")
            .all(decoding: MetricRow.self)
        for row in rows {
            let account = names[row.account_id.uuid]
            out += [row.day, CSV.cell(account?.name ?? ""), account?.platform ?? "", "\(row.followers)", "\(row.impressions)",
                "\(row.engagements)", "\(row.clicks)", "\(row.posts_published)"].joined(separator: ",") + "\r\n"
        }
        return out
    }

    private struct MetricRow: Decodable {
        var day: String
        var account_id: RowID
        var followers: Int
        var impressions: Int
        var engagements: Int
        var clicks: Int
        var posts_published: Int
    }

    // MARK: Sync

    /// Stores days as the platform reports them: new days are added, known days
    /// updated (today's numbers grow during the day).
    public func store(_ days: [DailyMetrics], for account: SocialAccountModel, on db: any Database) async throws {
        guard !days.isEmpty else { return }
        let existing = Dictionary(
            try await AccountMetricModel.query(on: db).filter(\.$accountID == account.id!).filter(\.$day ~~ days.map(\.day)).all().map { ($0.day, $0) },
            uniquingKeysWith: { a, _ in a })
        let now = env.clock.now
        try await db.writeTransaction { tx in
            for day in days where Day(day.day) != nil {
                let row = existing[day.day] ?? AccountMetricModel()
                let changed = row.id == nil || row.followers != day.followers || row.impressions != day.impressions
                    || row.engagements != day.engagements || row.clicks != day.clicks || row.postsPublished != day.postsPublished
                guard changed else { continue }
                row.workspaceID = account.workspaceID
                row.accountID = account.id!
                row.day = day.day
                row.followers = day.followers
                row.impressions = day.impressions
                row.engagements = day.engagements
                row.clicks = day.clicks
                row.postsPublished = day.postsPublished
                row.updatedAt = now
                try await row.save(on: tx)
            }
        }
    }

    // MARK: Arithmetic

    static func totals(_ days: [MetricDay]) -> MetricTotals {
        let withAudience = days.filter { $0.followers > 0 }
        let impressions = days.reduce(0) { $0 + $1.impressions }
        let engagements = days.reduce(0) { $0 + $1.engagements }
        return MetricTotals(
            followers: withAudience.last?.followers ?? 0,
            followersGained: (withAudience.last?.followers ?? 0) - (withAudience.first?.followers ?? 0),
            impressions: impressions, engagements: engagements, clicks: days.reduce(0) { $0 + $1.clicks },
            postsPublished: days.reduce(0) { $0 + $1.postsPublished },
            engagementRate: impressions == 0 ? 0 : (Double(engagements) / Double(impressions) * 1_000).rounded() / 10)
    }

    static func change(_ now: Int, _ before: Int) -> Double? {
        before == 0 ? nil : (Double(now - before) / Double(before) * 1_000).rounded() / 10
    }

    private static func int(_ row: any SQLRow, _ column: String) throws -> Int {
        // SUM is a bigint on PostgreSQL and an integer on SQLite; both decode as Int.
        if let value = try? row.decode(column: column, as: Int.self) { return value }
        return Int(try row.decode(column: column, as: Double.self))
    }
}
