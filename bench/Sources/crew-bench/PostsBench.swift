import CrewApp
import CrewConnectors
import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import FluentKit
import Foundation
import Logging

/// Posts, the scheduler and analytics: a calendar month of 5,000 posts over 50
/// accounts, an analytics report of one year of daily metrics over 50 accounts,
/// and the scheduler publishing to the sandbox platform on its own loopback port.
func measurePosts(_ components: CrewComponents, reps: Int, posts postCount: Int, due dueCount: Int) async throws -> String {
    let env = components.services.env
    let db = components.services.database.database()
    let (workspaceID, ownerEmail) = try await ScaleSeeder(env: env).seed(.init(members: 20, accounts: 50, invitations: 0, seed: 11), on: db)
    let owner = try await UserModel.query(on: db).filter(\.$email == ownerEmail).first()!
    let access = try await components.services.workspaces.access(userID: owner.id!, workspaceID: workspaceID, actor: .commandLine, on: db)
    let accountIDs = try await SocialAccountModel.query(on: db).filter(\.$workspaceID == workspaceID).all(\.$id)

    // A month of posts, spread evenly over its days and the 50 accounts.
    let monthStart = Date(timeIntervalSince1970: 1_798_761_600)  // 2027-01-01T00:00Z
    let monthSeconds = 31.0 * 86_400
    let statuses: [PostStatus] = [.scheduled, .scheduled, .pendingApproval, .awaitingClient, .draft, .published]
    let rows = (0..<postCount).map { n in
        newPost(
            workspaceID: workspaceID, accountID: accountIDs[n % accountIDs.count], author: owner.id!, text: "Post \(n) of the month",
            status: statuses[n % statuses.count], at: monthStart.addingTimeInterval(monthSeconds * Double(n) / Double(postCount)), now: env.clock.now)
    }
    for chunk in stride(from: 0, to: rows.count, by: 500) {
        try await Array(rows[chunk..<min(chunk + 500, rows.count)]).create(on: db)
    }
    let posts = components.services.posts
    let month = PostFilter(from: monthStart, to: monthStart.addingTimeInterval(monthSeconds))
    let calendar = try await measure(max(5, reps / 10)) {
        let window = try await posts.window(access, month, on: db)
        precondition(window.posts.count == postCount && !window.truncated)
    }
    let listPage = try await measure(reps) {
        _ = try await posts.list(access, month, limit: try PageSize("50"), cursor: nil, on: db)
    }

    // One year of daily metrics for each of the 50 accounts (plus the year before, for the change).
    let analytics = AnalyticsService(env: env)
    let year = try DayRange(from: Day("2026-01-01")!, to: Day("2026-12-31")!)
    var metricRows: [AccountMetricModel] = []
    for (index, accountID) in accountIDs.enumerated() {
        for day in year.previous.days + year.days {
            metricRows.append(newMetric(workspaceID: workspaceID, accountID: accountID, day: day, seed: index, now: env.clock.now))
        }
    }
    for chunk in stride(from: 0, to: metricRows.count, by: 500) {
        try await Array(metricRows[chunk..<min(chunk + 500, metricRows.count)]).create(on: db)
    }
    let named = accountIDs.map(\.apiString)
    let report = try await measure(max(5, reps / 4)) {
        let result = try await analytics.report(access, accountIds: named, range: year, on: db)
        precondition(result.series.count == 365 && result.totals.impressions > 0)
    }
    let csv = try await measure(max(5, reps / 20)) {
        _ = try await analytics.csv(access, accountIds: named, range: year, on: db)
    }

    let (rate, published, seconds) = try await measureScheduler(components, due: dueCount)
    return """
        | calendar month of \(postCount) posts over 50 accounts (every post of the month) | \(calendar.count) | \(format(calendar)) |
        | posts list, first page (50) of that month | \(listPage.count) | \(format(listPage)) |
        | analytics report, 1 year × 50 accounts (\(metricRows.count) daily rows incl. the previous year) | \(report.count) | \(format(report)) |
        | analytics CSV, 1 year × 50 accounts (18,250 lines) | \(csv.count) | \(format(csv)) |

        Scheduler: \(published) due posts published to the sandbox platform over loopback HTTP in \(String(format: "%.2f", seconds)) s, \
        \(String(format: "%.0f", rate)) posts/s (one process, rounds of \(PostPublisher.batch), 8 in flight).
        """
}

/// Connects the sandbox's six profiles, makes `due` posts due now, and runs
/// publishing rounds until none is left; the sandbox's own record is checked.
private func measureScheduler(_ components: CrewComponents, due: Int) async throws -> (rate: Double, published: Int, seconds: Double) {
    let env = components.services.env
    let db = components.services.database.database()
    return try await SandboxHarness.run { sandbox in
        var settings = ConnectorSettings()
        settings.sandboxURL = sandbox.baseURL
        settings.sandboxClientID = SandboxHarness.clientID
        let connectors = ConnectorRegistry.build(
            settings: settings, sandboxURL: sandbox.baseURL, sandboxSecret: sandbox.clientSecret, clock: env.clock)
        let (workspaceID, ownerEmail) = try await ScaleSeeder(env: env).seed(.init(members: 1, accounts: 0, invitations: 0, seed: 13), on: db)
        let owner = try await UserModel.query(on: db).filter(\.$email == ownerEmail).first()!
        let access = try await components.services.workspaces.access(userID: owner.id!, workspaceID: workspaceID, actor: .commandLine, on: db)
        let accounts = SocialAccountService(env: env, connectors: connectors)
        let start = try await accounts.startConnect(access, platform: "sandbox", on: db)
        let profiles = ["sbx-101", "sbx-102", "sbx-103", "sbx-104", "sbx-105", "sbx-106"]
        let callback = try await ConsentBrowser.decide(authorizeURL: start.authorizeUrl, profiles: profiles, approve: true)
        let query = ConsentBrowser.query(callback)
        _ = try await accounts.finishConnect(
            .init(platform: "sandbox", state: query["state"], code: query["code"], error: nil), userID: owner.id!, ip: nil, on: db)
        let accountIDs = try await SocialAccountModel.query(on: db).filter(\.$workspaceID == workspaceID).all(\.$id)
        precondition(accountIDs.count == profiles.count)

        let now = env.clock.now
        let rows = (0..<due).map { n in
            let post = newPost(
                workspaceID: workspaceID, accountID: accountIDs[n % accountIDs.count], author: owner.id!, text: "Due post \(n)",
                status: .scheduled, at: now.addingTimeInterval(-1), now: now)
            post.nextAttemptAt = post.scheduledAt
            return post
        }
        for chunk in stride(from: 0, to: rows.count, by: 500) {
            try await Array(rows[chunk..<min(chunk + 500, rows.count)]).create(on: db)
        }
        let publisher = PostPublisher(env: env, connectors: connectors)
        let logger = Logger(label: "bench-publisher")
        var published = 0
        let clockStart = ContinuousClock.now
        while true {
            let round = try await publisher.publishDue(on: db, logger: logger)
            precondition(round.failed == 0 && round.retried == 0, "publishing failed: \(round)")
            published += round.published
            if round.published == 0 { break }
        }
        let elapsed = ContinuousClock.now - clockStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        precondition(published == due && sandbox.authority.ledger.posts.count == due, "the sandbox recorded \(sandbox.authority.ledger.posts.count) of \(due)")
        return (Double(due) / seconds, published, seconds)
    }
}

private func newPost(workspaceID: UUID, accountID: UUID, author: UUID, text: String, status: PostStatus, at time: Date, now: Date) -> PostModel {
    let post = PostModel()
    post.id = UUID()
    post.workspaceID = workspaceID
    post.accountID = accountID
    post.batchID = UUID()
    post.authorUserID = author
    post.text = text
    post.mediaURLsJSON = "[]"
    post.status = status
    post.scheduledAt = status == .draft ? nil : time
    post.timeZone = "Europe/Berlin"
    post.sortAt = time
    post.nextAttemptAt = status == .scheduled || status.awaitsApproval ? time : nil
    post.attempts = 0
    post.createdAt = now
    post.updatedAt = now
    return post
}

private func newMetric(workspaceID: UUID, accountID: UUID, day: Day, seed: Int, now: Date) -> AccountMetricModel {
    let metric = AccountMetricModel()
    metric.id = UUID()
    metric.workspaceID = workspaceID
    metric.accountID = accountID
    metric.day = day.description
    metric.followers = 1_000 + seed * 10 + day.number % 400
    metric.impressions = 500 + (day.number * 37 + seed * 11) % 900
    metric.engagements = 20 + (day.number * 13 + seed) % 80
    metric.clicks = 5 + (day.number * 7 + seed) % 30
    metric.postsPublished = day.number % 3
    metric.updatedAt = now
    return metric
}
