import ArgumentParser
import CrewCore
import CrewSandbox
import Foundation
import Hummingbird
import Logging

/// `crew sandbox --port N`: the sandbox social platform on its own, for a
/// Crew configured with `CREW_SANDBOX_URL=http://HOST:N/sandbox`.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "Run the sandbox social platform on its own (a fake network for offline use and tests).")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one and prints it).") var port = 9090
    @Option(help: "The client id Crew uses (CREW_PLATFORM_SANDBOX_CLIENT_ID).") var clientID = "crew"
    @Option(help: "The client secret Crew uses (CREW_PLATFORM_SANDBOX_SECRET, or this option).") var clientSecret: String?
    @Option(help: "Seconds an access token lives.") var tokenLifetime = 3_600

    func run() async throws {
        guard let secret = clientSecret ?? ProcessInfo.processInfo.environment["CREW_PLATFORM_SANDBOX_SECRET"], !secret.isEmpty else {
            throw ValidationError("set --client-secret or CREW_PLATFORM_SANDBOX_SECRET (Crew needs the same value)")
        }
        guard (60...86_400).contains(tokenLifetime) else { throw ValidationError("--token-lifetime must be 60 to 86400 seconds") }
        var logger = Logger(label: "sandbox")
        logger.logLevel = .info
        let authority = SandboxAuthority(
            .init(
                clientID: clientID, clientSecret: secret, sealer: try SecretSealer(keyText: SecretSealer.generateKeyText()),
                accessTokenLifetime: TimeInterval(tokenLifetime)))
        let host = self.host
        let app = SandboxServer.application(host: host, port: port, authority: authority, logger: logger) { bound in
            FileHandle.standardOutput.write(Data("Sandbox platform listening; set CREW_SANDBOX_URL=http://\(host):\(bound)/sandbox\n".utf8))
        }
        try await app.runService()
    }
}
