import AsyncHTTPClient
import CrewCore
import CrewSandbox
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle

/// The sandbox platform on its own loopback port for one test, so Crew's
/// connector talks to it over real HTTP exactly as to any platform.
public struct SandboxHarness: Sendable {
    public static let clientID = "crew-tests"
    public let authority: SandboxAuthority
    public let baseURL: String
    public let clientSecret: String

    /// What Crew needs to use this sandbox instead of its own.
    public var environment: [String: String] {
        ["CREW_SANDBOX_URL": baseURL, "CREW_PLATFORM_SANDBOX_CLIENT_ID": Self.clientID, "CREW_PLATFORM_SANDBOX_SECRET": clientSecret]
    }

    /// - Parameter clock: the sandbox's time; pass the `TestClock` of the `TestApp`
    ///   to move both together (new conversations appear as time passes).
    public static func run<T: Sendable>(clock: TestClock? = nil, _ body: @Sendable (SandboxHarness) async throws -> T) async throws -> T {
        let secret = SecureToken.generate()
        let authority = SandboxAuthority(
            .init(
                clientID: clientID, clientSecret: secret, sealer: try SecretSealer(keyText: SecretSealer.generateKeyText()),
                clock: clock?.crewClock ?? .live))
        return try await LoopbackServer.run({ onRunning in
            SandboxServer.application(host: "127.0.0.1", port: 0, authority: authority, logger: Logger(label: "sandbox"), onRunning: onRunning)
        }) { port in
            try await body(SandboxHarness(authority: authority, baseURL: "http://127.0.0.1:\(port)/sandbox", clientSecret: secret))
        }
    }
}

/// A platform that answers its token endpoint badly: an error status, or only
/// after a delay (for timeouts). Real HTTP on loopback.
public enum BrokenPlatform {
    public enum Behaviour: Sendable {
        case status(Int)
        case delay(seconds: Int)
    }

    public static func run<T: Sendable>(_ behaviour: Behaviour, _ body: @Sendable (String) async throws -> T) async throws -> T {
        try await LoopbackServer.run({ onRunning in
            let router = Router()
            router.post("sandbox/oauth/token") { _, _ -> Response in
                switch behaviour {
                case .status(let code):
                    return Response(
                        status: .init(code: code), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: #"{"error":"server_error","error_description":"database on fire"}"#)))
                case .delay(let seconds):
                    try await Task.sleep(for: .seconds(seconds))
                    return Response(status: .ok)
                }
            }
            return Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onRunning($0.localAddress?.port ?? 0) }, logger: Logger(label: "broken-platform"))
        }) { port in
            try await body("http://127.0.0.1:\(port)/sandbox")
        }
    }
}

/// Runs a server on a free loopback port while `body` runs, then shuts it down
/// gracefully (which closes the idle keep-alive connections clients still hold).
enum LoopbackServer {
    static func run<App: ApplicationProtocol, T: Sendable>(
        _ make: (@escaping @Sendable (Int) async -> Void) -> App, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = make { port in continuation.yield(port) }
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "loopback")))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw TestFailure("the server did not start") }
            do {
                let result = try await body(port)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }
}

/// A person's browser at a platform's authorize page: reads the consent form,
/// ticks profiles, approves or denies, and reports where the platform sends
/// them back (the callback address), without following it.
public enum ConsentBrowser {
    /// - Returns: the callback URL the platform redirects to.
    public static func decide(authorizeURL: String, profiles: [String], approve: Bool) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            let page = try await client.execute(HTTPClientRequest(url: authorizeURL), timeout: .seconds(10))
            let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
            guard page.status == .ok, let sealed = hiddenField("request", in: html) else {
                throw TestFailure("no consent form at the authorize page (\(page.status)): \(html.prefix(300))")
            }
            var fields = [("request", sealed), ("decision", approve ? "approve" : "deny")]
            fields += profiles.map { ("profile", $0) }
            let action = authorizeURL.split(separator: "?")[0]
            var post = HTTPClientRequest(url: String(action))
            post.method = .POST
            post.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            post.body = .bytes(ByteBuffer(string: fields.map { "\($0.0)=\(escape($0.1))" }.joined(separator: "&")))
            let answer = try await client.execute(post, timeout: .seconds(10))
            guard answer.status == .found, let location = answer.headers.first(name: "Location") else {
                throw TestFailure("the platform did not redirect back (\(answer.status))")
            }
            try await client.shutdown()
            return location
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The path and query of a URL, to replay a callback against Crew's router.
    public static func pathAndQuery(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return url }
        return components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    public static func query(_ url: String) -> [String: String] {
        Dictionary((URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    private static func hiddenField(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }
}
