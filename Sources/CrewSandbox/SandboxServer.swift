import CrewCore
import Hummingbird
import Logging
import NIOCore

/// The sandbox platform served on its own (`crew sandbox --port N`, and tests
/// that need a platform on another port), under `/sandbox` like inside Crew.
public enum SandboxServer {
    public static let mountPath = "sandbox"

    /// - Parameter onRunning: called with the bound port once the server listens.
    public static func application(
        host: String, port: Int, authority: SandboxAuthority, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("health") { _, _ in "ok" }
        SandboxRoutes(authority: authority).register(on: router.group(RouterPath(mountPath)))
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "Sandbox Social"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
