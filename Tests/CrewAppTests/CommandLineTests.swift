import Foundation
import Testing

/// `crew link …` and `crew member …` run as the operator would run them: the
/// built `crew` binary on a SQLite file of its own.
@Suite struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The `crew` built beside the tests (`swift build --build-tests` builds
    /// every product into the same folder; CREW_BIN names another).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["CREW_BIN"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/crew")
    }

    static func crew(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + ["--data-dir", directory]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CREW_") }
        env["CREW_BCRYPT_COST"] = "4"
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors, as: UTF8.self))
    }

    @Test func linkAndMemberCommandsShowChangeAndRemove() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build crew first: \(Self.binary.path)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crew-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let password = ["CREW_USER_PASSWORD": "a long password"]
        #expect(try Self.crew(["user", "create", "--email", "olga@example.com", "--name", "Olga Owner"], in: directory, environment: password).status == 0)
        #expect(try Self.crew(["user", "create", "--email", "eddie@example.com", "--name", "Eddie Editor"], in: directory, environment: password).status == 0)
        let created = try Self.crew(["workspace", "create", "--owner", "olga@example.com", "--name", "CLI Agency"], in: directory)
        let wid = try #require(created.output.split(separator: "(").last?.split(separator: ")").first.map(String.init))

        let shown = try Self.crew(["link", "show", "--workspace", wid], in: directory)
        #expect(shown.status == 0, "\(shown.errors)")
        let url = try #require(shown.output.split(separator: "\n").first { $0.hasPrefix("url: ") }).dropFirst(5)
        #expect(url.contains("/join/"))
        let disabled = try Self.crew(["link", "disable", "--workspace", wid], in: directory)
        #expect(disabled.output.contains("status: disabled") && disabled.output.contains("not active now"))
        let enabled = try Self.crew(["link", "enable", "--workspace", wid, "--until", "2099-01-01T00:00:00Z"], in: directory)
        #expect(enabled.output.contains("status: enabled until 2099-01-01T00:00:00Z (active now)"), "\(enabled.output)\(enabled.errors)")
        let refreshed = try Self.crew(["link", "refresh", "--workspace", wid], in: directory)
        #expect(refreshed.status == 0 && !refreshed.output.contains(String(url)))
        // A bad time is refused with the service's own message, and changes nothing.
        let bad = try Self.crew(["link", "enable", "--workspace", wid, "--until", "soon"], in: directory)
        #expect(bad.status != 0 && bad.errors.contains("statusUntil"))

        let listed = try Self.crew(["member", "list", "--workspace", wid], in: directory)
        #expect(listed.status == 0)
        #expect(listed.output.split(separator: "\n").count == 1 && listed.output.contains("\towner\t-\tolga@example.com\tOlga Owner\t-\n"))
        // The owner cannot be removed; an unknown member is not found.
        let owner = try Self.crew(["member", "remove", "--workspace", wid, "--email", "olga@example.com"], in: directory)
        #expect(owner.status != 0 && owner.output.isEmpty)
        let stranger = try Self.crew(["member", "remove", "--workspace", wid, "--email", "eddie@example.com"], in: directory)
        #expect(stranger.status != 0 && stranger.errors.contains("not a member"))
        let neither = try Self.crew(["member", "remove", "--workspace", wid], in: directory)
        #expect(neither.status != 0 && neither.errors.contains("either --member or --email"))
    }

    @Test func memberRemoveTakesOneMemberOutByIdOrEmail() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build crew first: \(Self.binary.path)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crew-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seeded = try Self.crew(["demo", "--scale", "--members", "6", "--accounts", "2", "--invitations", "0"], in: directory)
        let wid = try #require(seeded.output.split(separator: "\n").first { $0.hasPrefix("workspace ") }?.dropFirst("workspace ".count))
        let before = try Self.crew(["member", "list", "--workspace", String(wid)], in: directory).output.split(separator: "\n")
        #expect(before.count == 7)
        let clients = before.filter { $0.split(separator: "\t")[1] == "client" }.map { $0.split(separator: "\t") }
        try #require(clients.count >= 2)
        let byID = try Self.crew(["member", "remove", "--workspace", String(wid), "--member", String(clients[0][0])], in: directory)
        #expect(byID.status == 0 && byID.output.hasPrefix("removed \(clients[0][4])"), "\(byID.errors)")
        let byEmail = try Self.crew(["member", "remove", "--workspace", String(wid), "--email", String(clients[1][3])], in: directory)
        #expect(byEmail.status == 0, "\(byEmail.errors)")
        let after = try Self.crew(["member", "list", "--workspace", String(wid)], in: directory).output.split(separator: "\n")
        #expect(after.count == 5)
        #expect(!after.contains { $0.hasPrefix(clients[0][0]) || $0.contains(clients[1][3]) })
        let clientsOnly = try Self.crew(["member", "list", "--workspace", String(wid), "--role", "client"], in: directory).output
        #expect(clientsOnly.split(separator: "\n").allSatisfy { $0.split(separator: "\t")[1] == "client" })
    }
}
