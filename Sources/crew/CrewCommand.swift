import ArgumentParser
import CrewApp
import CrewCore
import CrewServices
import CrewStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix

@main
struct CrewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crew",
        abstract: "Crew: team and client management for social-media workspaces.",
        subcommands: [
            Serve.self, Migrate.self, UserCommand.self, WorkspaceCommand.self, LinkCommand.self, MemberCommand.self, Demo.self, SandboxCommand.self,
            Doctor.self,
        ],
        defaultSubcommand: Serve.self)

    /// Swift concurrency's jobs run on NIO's event loops instead of a pool of
    /// their own: a request resumes on the thread where its database answer
    /// arrived, not after a hop to another thread (two thread switches per
    /// statement; see bench/NOTES.md). Must come before any other task starts.
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}

/// Flags shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "Database URL: sqlite://PATH, sqlite::memory: or postgres://user:pass@host:port/db (CREW_DATABASE_URL).")
    var database: String?

    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite file, secret key and mail outbox (CREW_DATA_DIR, default ./crew-data).")
    var dataDirectory: String?

    var overrides: ConfigurationOverrides { .init(database: database, dataDirectory: dataDirectory) }
}

/// Loads the configuration or exits with one line naming the bad setting.
func loadConfiguration(_ overrides: ConfigurationOverrides) throws -> CrewConfiguration {
    do {
        return try CrewConfiguration.load(environment: ProcessInfo.processInfo.environment, overrides: overrides)
    } catch {
        FileHandle.standardError.write(Data("crew: \(error)\n".utf8))
        throw ExitCode(78)  // EX_CONFIG
    }
}

func makeLogger(_ configuration: CrewConfiguration) -> Logger {
    var logger = Logger(label: "crew") { CrewLogHandler(label: $0) }
    logger.logLevel = configuration.logLevel
    return logger
}

/// Opens and migrates the database for a one-off command, runs `body`, and closes it.
func withDatabase<T: Sendable>(
    _ overrides: ConfigurationOverrides, _ body: @Sendable (CrewComponents, any Database) async throws -> T
) async throws -> T {
    let configuration = try loadConfiguration(overrides)
    let logger = makeLogger(configuration)
    let components = try await buildComponents(configuration, logger: logger)
    let database = components.services.database
    do {
        try await prepareDatabase(components)
        let result = try await body(components, database.database())
        await database.shutdown()
        return result
    } catch {
        await database.shutdown()
        throw error
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Crew server (migrates the database first).")

    @Option(help: "Address to listen on (CREW_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (CREW_PORT, default 8080).") var port: String?
    @OptionGroup var databaseOptions: DatabaseOptions
    @Flag(help: "Seed a demo owner and workspace (once) and print how to log in.") var demo = false

    func run() async throws {
        var overrides = databaseOptions.overrides
        overrides.host = host
        overrides.port = port
        let configuration = try loadConfiguration(overrides)
        let logger = makeLogger(configuration)
        let components = try await buildComponents(configuration, logger: logger)
        logger.info("starting Crew", metadata: ["database": "\(configuration.database)", "public_url": "\(configuration.publicURL)"])
        let demo = self.demo
        let app = buildApplication(components, logger: logger) {
            guard demo else { return }
            try await DemoSeeder(env: components.services.env).seed(on: components.services.database.database())
            // Written unbuffered so it shows at once even when stdout is a file.
            FileHandle.standardOutput.write(Data("""

                Crew demo is ready at \(configuration.publicURL)/login
                  email:    \(DemoSeeder.ownerEmail)
                  password: \(DemoSeeder.ownerPassword)


                """.utf8))
        }
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date and exit.")
    @OptionGroup var databaseOptions: DatabaseOptions

    func run() async throws {
        try await withDatabase(databaseOptions.overrides) { _, _ in }
        print("database is up to date")
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Seed the demo owner and workspace (idempotent), or with --scale a large generated workspace.")
    @OptionGroup var databaseOptions: DatabaseOptions
    @Flag(help: "Generate a large workspace for benchmarks instead of the demo.") var scale = false
    @Option(help: "Generated workspaces (with --scale), each with its own owner.") var workspaces = 1
    @Option(help: "Members in each generated workspace (with --scale).") var members = 10_000
    @Option(help: "Social accounts in the generated workspace (with --scale).") var accounts = 30
    @Option(help: "Pending invitations in the generated workspace (with --scale).") var invitations = 50
    @Option(help: "Seed of the generator; the same seed gives the same data.") var seed: UInt64 = 42

    func run() async throws {
        guard scale else {
            let created = try await withDatabase(databaseOptions.overrides) { components, db in
                try await DemoSeeder(env: components.services.env).seed(on: db)
            }
            print(created ? "demo seeded" : "demo already present")
            print("email: \(DemoSeeder.ownerEmail)\npassword: \(DemoSeeder.ownerPassword)")
            return
        }
        guard (1...1_000).contains(workspaces) else { throw ValidationError("--workspaces must be 1 to 1000") }
        guard (1...1_000_000).contains(members) else { throw ValidationError("--members must be 1 to 1000000") }
        let started = ContinuousClock.now
        let bar = ProgressBar(total: workspaces * members)
        for index in 0..<workspaces {
            // Each workspace gets its own seed, so a run is repeatable and the workspaces differ.
            let options = ScaleSeeder.Options(members: members, accounts: accounts, invitations: invitations, seed: seed &+ UInt64(index))
            let (workspaceID, owner) = try await withDatabase(databaseOptions.overrides) { components, db in
                try await ScaleSeeder(env: components.services.env).seed(options, on: db) { done, _ in
                    bar.show(done: index * members + done, label: "workspace \(index + 1)/\(workspaces)")
                }
            }
            bar.finishLine()
            print("workspace \(workspaceID.apiString)\nowner: \(owner)")
        }
        let elapsed = ContinuousClock.now - started
        print("password: \(ScaleSeeder.password)\nseeded \(workspaces * members) members in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
    }
}

/// One terminal line rewritten in place: `[#######.......]  48%  4,800/10,000 members`.
/// Written to standard error so the printed ids stay parseable.
struct ProgressBar: Sendable {
    let total: Int
    let width = 30

    func show(done: Int, label: String) {
        let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
        let filled = Int(fraction * Double(width))
        let line = "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
            + "\(String(format: "%3.0f%%", fraction * 100))  \(done.formatted())/\(total.formatted()) members  \(label)"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finishLine() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the database's invariants (seats, owners, grants, link uses, mail); exits 1 on any violation.")
    @OptionGroup var databaseOptions: DatabaseOptions

    func run() async throws {
        let report = try await withDatabase(databaseOptions.overrides) { components, db in
            try await ConsistencyDoctor(env: components.services.env).examine(on: db)
        }
        for violation in report.violations { print("violation: \(violation)") }
        print("checked \(report.workspaces) workspaces and \(report.members) members: \(report.violations.isEmpty ? "consistent" : "\(report.violations.count) violations")")
        if !report.violations.isEmpty { throw ExitCode(1) }
    }
}
