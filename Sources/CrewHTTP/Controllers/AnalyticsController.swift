import CrewCore
import CrewServices
import Hummingbird

/// Analytics reports (JSON and CSV) and pulling an account's inbox and
/// metrics from its platform on demand.
public struct AnalyticsController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    public func register(on api: APIRouter) {
        let analytics = services.analytics
        api.get("workspaces/:wid/analytics") { request, context in
            let access = try await services.access(context)
            let (accounts, range) = try reportQuery(request)
            return try context.json(try await analytics.report(access, accountIds: accounts, range: range, on: services.db(context)), request: request)
        }
        api.get("workspaces/:wid/analytics.csv") { request, context in
            let access = try await services.access(context)
            let (accounts, range) = try reportQuery(request)
            let csv = try await analytics.csv(access, accountIds: accounts, range: range, on: services.db(context))
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"crew-analytics-\(range.from)-\(range.to).csv\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        api.post("workspaces/:wid/accounts/:aid/sync") { request, context in
            let access = try await services.access(context)
            let db = services.db(context)
            let accountID = try parseID(context.parameters.get("aid"))
            try await services.platformSync.sync(access, accountID: accountID, on: db, logger: context.logger)
            return try context.json(try await services.socialAccounts.get(access, accountID: accountID, on: db), request: request)
        }
    }

    /// `?accountId=a,b&from=YYYY-MM-DD&to=YYYY-MM-DD` (defaults: every readable account, the last 28 days).
    private func reportQuery(_ request: Request) throws(DomainError) -> ([String], DayRange) {
        let query = request.uri.queryParameters
        let accounts = query.getAll("accountId").flatMap { $0.split(separator: ",").map(String.init) }
        let range = try DayRange(
            from: query["from"].map(String.init), to: query["to"].map(String.init), today: Day(services.env.clock.now))
        return (accounts, range)
    }
}
