import CrewApp
import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// One running Crew for one test: its own database, a movable clock, recorded
/// logs, and the HTTP client that drives it through the real router.
public struct TestApp: Sendable {
    public let client: any TestClientProtocol
    public let components: CrewComponents
    public let clock: TestClock
    public let logs: LogRecorder

    public var services: HTTPServices { components.services }
    public var db: any Database { components.services.database.database() }

    /// Builds an app on a fresh database, runs `body` against it, and tears it down.
    /// - Parameters:
    ///   - environment: extra `CREW_*` settings (e.g. plans, public URL).
    public static func run<T: Sendable>(
        environment: [String: String] = [:], clock: TestClock = TestClock(),
        _ body: @Sendable (TestApp) async throws -> T
    ) async throws -> T {
        let logs = LogRecorder()
        let logger = logs.logger()
        let (location, dropDatabase) = try await TestDatabase.make(logger: logger)
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("crew-test-data-\(UUID().uuidString)").path
        let cleanup: @Sendable () async -> Void = {
            await dropDatabase()
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
        var settings = [
            "CREW_SECRET_KEY": String(repeating: "ab", count: 32),
            // bcrypt's production cost (12) takes ~250 ms a hash; tests use the minimum.
            "CREW_BCRYPT_COST": "4",
            "CREW_DATA_DIR": dataDirectory,
            // Every test has its own pool; keep them small so a parallel run of
            // all suites stays far below PostgreSQL's connection limit.
            "CREW_DB_POOL_SIZE": "2",
            // Tests run delivery, publishing, syncing and refreshing rounds by
            // hand: a worker of the app's own, on a timer, would race them for
            // the same rows (and take a post due after `clock.advance` before
            // the test's round does). The Python suites run the real workers.
            "CREW_BACKGROUND_WORKERS": "off",
            // Every in-process request comes from no address, so the per-address
            // limits would count all of a test's sign-ups and log-ins as one
            // client's; the brake tests turn them on.
            "CREW_LOGIN_FAILURES_PER_ADDRESS": "0",
            "CREW_SIGNUPS_PER_ADDRESS": "0",
        ]
        settings.merge(environment) { $1 }
        let configuration = try CrewConfiguration.load(environment: settings, overrides: .init(database: databaseURL(location)))
        var resolved = configuration
        resolved.database = location
        let components = try await buildComponents(resolved, clock: clock.crewClock, logger: logger)
        let app = buildApplication(components, logger: logger)
        do {
            let result = try await app.test(.router) { client in
                try await body(TestApp(client: client, components: components, clock: clock, logs: logs))
            }
            await cleanup()
            return result
        } catch {
            await cleanup()
            throw error
        }
    }

    private static func databaseURL(_ location: DatabaseLocation) -> String {
        switch location {
        case .sqliteMemory: "sqlite::memory:"
        case .sqliteFile(let path): "sqlite://\(path)"
        case .postgres(let url, _): url
        }
    }
}
