// Measures the team features in-process on a real database: the policy check,
// a members page, search and bulk removal in a workspace of N members, link
// joins, social accounts (AccountsBench.swift), and posts, the scheduler and
// analytics (PostsBench.swift).
// Usage: crew-bench [--database URL] [--members N] [--reps R] [--posts N] [--due N]
// Prints a Markdown table; bench/run collects them into bench/RESULTS.md.
import CrewApp
import CrewCore
import CrewServices
import CrewStore
import Foundation
import Logging

struct Arguments {
    var database = "sqlite://" + FileManager.default.temporaryDirectory.appendingPathComponent("crew-bench-\(UUID().uuidString).sqlite").path
    var members = 10_000
    var reps = 200
    /// Posts in the calendar month.
    var posts = 5_000
    /// Due posts the scheduler publishes.
    var due = 2_000

    static let usage = "usage: crew-bench [--database URL] [--members N] [--reps R] [--posts N] [--due N]"

    init() {
        var args = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = args.next() {
            switch flag {
            case "--database": database = args.next() ?? database
            case "--members": members = Int(args.next() ?? "") ?? members
            case "--reps": reps = Int(args.next() ?? "") ?? reps
            case "--posts": posts = Int(args.next() ?? "") ?? posts
            case "--due": due = Int(args.next() ?? "") ?? due
            case "--help", "-h":
                print(Self.usage)
                exit(0)
            default:
                FileHandle.standardError.write(Data("crew-bench: unknown flag \(flag)\n\(Self.usage)\n".utf8))
                exit(64)
            }
        }
    }
}

/// Milliseconds of each run of `body`.
func measure(_ reps: Int, _ body: () async throws -> Void) async throws -> [Double] {
    var samples: [Double] = []
    for _ in 0..<reps {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    return samples.sorted()
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
}

/// The p50, p99 and max cells of a table row.
func format(_ samples: [Double]) -> String {
    String(format: "%.2f | %.2f | %.2f", percentile(samples, 0.5), percentile(samples, 0.99), samples.last ?? 0)
}

func row(_ name: String, _ samples: [Double]) -> String {
    "| \(name) | \(samples.count) | \(format(samples)) |"
}

let arguments = Arguments()
var logger = Logger(label: "crew-bench")
logger.logLevel = .warning
var environment = ProcessInfo.processInfo.environment
environment["CREW_SECRET_KEY"] = environment["CREW_SECRET_KEY"] ?? String(repeating: "cd", count: 32)
environment["CREW_BCRYPT_COST"] = "4"
let configuration = try CrewConfiguration.load(environment: environment, overrides: .init(database: arguments.database))
let components = try await buildComponents(configuration, logger: logger)
let database = components.services.database
try await database.migrate()
let db = database.database()
let env = components.services.env

// The policy check alone.
let facts = PolicyMatrix.subjects.map(\.facts)
let actions = Action.allCases
let calls = 10_000_000
var allowed = 0
let policyStart = ContinuousClock.now
for i in 0..<calls {
    if Policy.decide(facts[i % facts.count], actions[i % actions.count], accountAssigned: i & 1 == 0).isAllowed { allowed += 1 }
}
let policyElapsed = ContinuousClock.now - policyStart
let policyNanos = (Double(policyElapsed.components.seconds) * 1e9 + Double(policyElapsed.components.attoseconds) / 1e9) / Double(calls)

// A workspace of N members.
let seedStart = ContinuousClock.now
let (workspaceID, ownerEmail) = try await ScaleSeeder(env: env).seed(.init(members: arguments.members), on: db)
let seedSeconds = Double((ContinuousClock.now - seedStart).components.seconds)
let ownerRow: UserModel? = try await UserModel.query(on: db).filter(\.$email == ownerEmail).first()
guard let owner = ownerRow else { fatalError("no owner") }
let access = try await components.services.workspaces.access(
    userID: owner.id!, workspaceID: workspaceID, actor: Actor(userID: owner.id, name: owner.name, ip: nil), on: db)
let members = components.services.members
let pageSize = try PageSize("50")

/// Pages read from the database every time: a service with a cache of its own
/// per call (the process's cache would answer every repetition but the first).
func fromDatabase() -> MemberService {
    var uncached = env
    uncached.memberPages = MemberPageCache(capacity: 1)
    return MemberService(env: uncached)
}

let firstPage = try await measure(arguments.reps) {
    _ = try await fromDatabase().list(access, role: nil, search: nil, limit: pageSize, cursor: nil, on: db)
}
let keptPage = try await measure(arguments.reps) {
    _ = try await members.list(access, role: nil, search: nil, limit: pageSize, cursor: nil, on: db)
}
// A page deep in the list: walk to the middle once, then read that page repeatedly.
var cursor: String?
for _ in 0..<(arguments.members / 100) {
    cursor = try await members.list(access, role: nil, search: nil, limit: pageSize, cursor: cursor, on: db).nextCursor
}
let middleCursor = cursor
let deepPage = try await measure(arguments.reps) {
    _ = try await fromDatabase().list(access, role: nil, search: nil, limit: pageSize, cursor: middleCursor, on: db)
}
let roleFilter = try await measure(arguments.reps) {
    _ = try await fromDatabase().list(access, role: "editor", search: nil, limit: pageSize, cursor: nil, on: db)
}
let search = try await measure(arguments.reps) {
    _ = try await fromDatabase().list(access, role: nil, search: "garcia", limit: pageSize, cursor: nil, on: db)
}

// Bulk removal of 1,000 members, three times over different members.
var bulk: [Double] = []
for _ in 0..<3 {
    let ids = try await MembershipModel.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$roleText == "client")
        .sort(\.$joinedAt).range(0..<1000).all().map { $0.id!.apiString }
    guard !ids.isEmpty else { break }
    bulk += try await measure(1) { _ = try await members.removeMany(access, ids: ids, on: db) }
}
// Joins through one client invite link by already-registered people, with the
// seat check on (the link grants publish_posts; agency_plus never refuses).
let linkOwnerAccess = access
let links = InviteLinkService(env: env)
_ = try await components.services.workspaces.update(linkOwnerAccess, name: nil, plan: "agency_plus", on: db)
let linkView = try await links.update(linkOwnerAccess, InviteLinkPatch(permissions: ["publish_posts", "view_analytics"]), on: db)
let linkToken = String(linkView.url.split(separator: "/").last!)
let joinHash = try await env.passwordHasher.hash("join-bench-password")

/// Registered people who are not yet members.
func makeJoiners(_ count: Int, tag: String) async throws -> [Identity] {
    let users = (0..<count).map { n in
        UserModel(id: UUID(), email: "joiner.\(tag).\(n)@bench.crew.test", name: "Joiner \(n)", passwordHash: joinHash, createdAt: env.clock.now)
    }
    for chunk in stride(from: 0, to: users.count, by: 500) {
        try await Array(users[chunk..<min(chunk + 500, users.count)]).create(on: db)
    }
    return users.map { Identity(userID: $0.id!, email: $0.email, name: $0.name, credential: .session(id: UUID()), tokenHash: "") }
}

func joinRun(concurrency: Int, joiners: [Identity]) async throws -> (rate: Double, samples: [Double]) {
    let start = ContinuousClock.now
    let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var mine: [Double] = []
                for index in stride(from: worker, to: joiners.count, by: concurrency) {
                    let t0 = ContinuousClock.now
                    guard case .joined = try await links.join(token: linkToken, identity: joiners[index], ip: "bench", on: database.database()) else {
                        fatalError("join did not admit")
                    }
                    let d = ContinuousClock.now - t0
                    mine.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
                }
                return mine
            }
        }
        return try await group.reduce(into: [Double]()) { $0 += $1 }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (Double(joiners.count) / seconds, samples.sorted())
}

let serialJoins = try await joinRun(concurrency: 1, joiners: try await makeJoiners(max(20, arguments.reps), tag: "c1"))
let parallelJoins = try await joinRun(concurrency: 32, joiners: try await makeJoiners(max(64, arguments.reps * 5), tag: "c32"))
let bulkRoleRow = try await measureBulkRoleChange(components, workspaceID: workspaceID, owner: access, runs: max(3, min(20, arguments.reps / 10)))
let seenRows = try await measureSeenMembers(components, workspaceID: workspaceID, owner: access, reps: arguments.reps)
// The largest file at benchmark sizes; a small one for the smoke run (a debug build).
let csvJoiners = try await makeJoiners(2_000, tag: "csv")
let csvRows = try await measureCSV(
    components, owner: access, rows: arguments.members >= 10_000 ? InvitationImportFile.maxRows : 200, runs: max(2, min(10, arguments.reps / 10))
) { n in
    guard case .joined = try await links.join(token: linkToken, identity: csvJoiners[n], ip: "bench", on: database.database()) else {
        fatalError("join did not admit")
    }
}
let logInRows = try await measureLogInUnderAttack(components, seconds: arguments.reps >= 100 ? 10 : 2)
let accountRows = try await measureAccounts(components, reps: arguments.reps)
let postRows = try await measurePosts(components, reps: arguments.reps, posts: arguments.posts, due: arguments.due)
await database.shutdown()

print("""
    ### \(configuration.database.isPostgres ? "PostgreSQL" : "SQLite"), \(arguments.members) members (seeded in \(Int(seedSeconds)) s)

    | measurement | runs | p50 ms | p99 ms | max ms |
    |---|---|---|---|---|
    \(row("members page 1 (50), read from the database", firstPage))
    \(row("members page 1 (50), kept at its members-list version", keptPage))
    \(row("members page in the middle (50, keyset cursor)", deepPage))
    \(row("members filtered by role", roleFilter))
    \(row("members search 'garcia'", search))
    \(row("bulk delete of 1,000 members", bulk.sorted()))
    \(row("link join, concurrency 1", serialJoins.samples))
    \(row("link join, concurrency 32", parallelJoins.samples))
    \(bulkRoleRow)
    \(seenRows)
    \(csvRows)
    \(accountRows)
    \(postRows)

    Link joins per second (seat check on): \(String(format: "%.0f", serialJoins.rate)) at concurrency 1, \(String(format: "%.0f", parallelJoins.rate)) at concurrency 32.

    \(logInRows)

    Policy check: \(String(format: "%.1f", policyNanos)) ns per call (\(calls) calls, \(allowed) allowed).

    """)
