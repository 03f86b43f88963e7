import CrewServices
import Foundation
import HummingbirdTesting

extension TestApp {
    /// An RFC 3339 time `seconds` after the test clock's now.
    public func time(in seconds: TimeInterval) -> String {
        clock.now.addingTimeInterval(seconds).formatted(.iso8601)
    }

    /// Writes a post through the API; returns the created posts (one per account).
    public func writePost(
        _ text: String, on accounts: [String], in workspaceID: String, as user: TestUser, at seconds: TimeInterval? = 3_600,
        submit: Bool = false
    ) async throws -> [[String: Any]] {
        var body: [String: any Sendable] = ["accountIds": accounts, "text": text, "submit": submit, "timeZone": "Europe/Berlin"]
        if let seconds { body["scheduledAt"] = time(in: seconds) }
        let answer = try await client.send(.post, "/api/v1/workspaces/\(workspaceID)/posts", token: user.token, json: body)
        guard answer.status == .created, let items = answer.object["items"] as? [[String: Any]] else {
            throw TestFailure("creating a post answered \(answer.status): \(answer.text)")
        }
        return items
    }

    /// A publisher with short retry delays, driven by hand in tests.
    public var publisher: PostPublisher {
        PostPublisher(env: services.env, connectors: services.connectors, retry: RetryPolicy(baseDelay: 60, maxAttempts: 3, lease: 120))
    }

    /// One publishing round, as the background worker runs it.
    public func publishDue() async throws -> PostPublisher.Round {
        try await publisher.publishDue(on: db, logger: logs.logger())
    }

    /// The post as the API shows it to `user`.
    public func post(_ id: String, in workspaceID: String, as user: TestUser) async throws -> TestResponse {
        try await client.send(.get, "/api/v1/workspaces/\(workspaceID)/posts/\(id)", token: user.token)
    }
}
