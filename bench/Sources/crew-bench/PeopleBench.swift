import CrewApp
import CrewCore
import CrewServices
import CrewStore
import Foundation
import Logging

/// Who sees whom: the first members page (50) as a client and as a manager
/// sees it, beside the owner's, in the seeded workspace (every page read from
/// the database: restricted viewers' pages are never kept).
func measureSeenMembers(
    _ components: CrewComponents, workspaceID: UUID, owner: WorkspaceAccess, reps: Int
) async throws -> String {
    let db = components.services.database.database()
    let workspaces = components.services.workspaces
    func access(of role: Role) async throws -> WorkspaceAccess {
        guard let member = try await MembershipModel.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$roleText == role.rawValue)
            .sort(\.$joinedAt).first()
        else { fatalError("no \(role) in the seeded workspace") }
        return try await workspaces.access(userID: member.userID, workspaceID: workspaceID, actor: .commandLine, on: db)
    }
    var uncached = components.services.env
    uncached.memberPages = MemberPageCache(capacity: 0)
    let members = MemberService(env: uncached)
    let size = try PageSize("50")
    let client = try await access(of: .client)
    let manager = try await access(of: .manager)
    var rows: [String] = []
    for (label, viewer) in [("owner", owner), ("manager", manager), ("client", client)] {
        let count = try await members.list(viewer, role: nil, search: nil, limit: size, cursor: nil, on: db).items.count
        let samples = try await measure(reps) {
            _ = try await members.list(viewer, role: nil, search: nil, limit: size, cursor: nil, on: db)
        }
        rows.append(row("members page 1 as the \(label) sees it (\(count) shown)", samples))
    }
    return rows.joined(separator: "\n")
}

/// Log-in throughput for the right password (bcrypt at production cost 12)
/// alone, and while a flood of wrong passwords hits another account at a
/// paced 1,000 a second: the flooded account locks after five and each
/// further attempt is refused before bcrypt, so the flood should cost the
/// real log-ins little. Per-address limits are off (the flood would be
/// refused by its address first; this measures the per-account brake).
func measureLogInUnderAttack(_ components: CrewComponents, seconds: Double) async throws -> String {
    var env = components.services.env
    env.passwordHasher = PasswordHasher(cost: 12)
    env.signInLimits = SignInLimits(failuresPerAddressPerMinute: 0, signupsPerAddressPerHour: 0)
    let accounts = AccountService(env: env)
    let database = components.services.database
    let origin = SignInOrigin(address: "198.51.100.1", logger: Logger(label: "bench"))
    let password = "the right bench password"
    let hash = try await env.passwordHasher.hash(password)
    let tag = UUID().uuidString.prefix(6).lowercased()
    let people = (0..<8).map { UserModel(id: UUID(), email: "login.\($0).\(tag)@bench.crew.test", name: "Login \($0)", passwordHash: hash, createdAt: env.clock.now) }
    let victim = UserModel(id: UUID(), email: "victim.\(tag)@bench.crew.test", name: "Victim", passwordHash: hash, createdAt: env.clock.now)
    try await (people + [victim]).create(on: database.database())

    /// Right-password log-ins by 8 people at once for `seconds`: per second and each one's time.
    func logIns() async throws -> (rate: Double, samples: [Double]) {
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int(seconds * 1000))
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for person in people {
                group.addTask {
                    var mine: [Double] = []
                    while ContinuousClock.now < deadline {
                        let t0 = ContinuousClock.now
                        _ = try await accounts.login(email: person.email, password: password, from: origin, on: database.database())
                        let d = ContinuousClock.now - t0
                        mine.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        let elapsed = ContinuousClock.now - start
        return (Double(samples.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18), samples.sorted())
    }

    let alone = try await logIns()
    // The flood: one wrong attempt every millisecond, each on its own task,
    // at most 256 in flight (more would only queue on the pool).
    let flood = Task {
        var sent = 0, refused = 0, inFlight = 0
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Bool.self) { group in
            while !Task.isCancelled {
                let due = start + .milliseconds(sent)
                if ContinuousClock.now < due { try? await Task.sleep(until: due) }
                if inFlight >= 256, let wasRefused = try await group.next() {
                    inFlight -= 1
                    if wasRefused { refused += 1 }
                }
                group.addTask {
                    do {
                        _ = try await accounts.login(email: victim.email, password: "wrong", from: origin, on: database.database())
                        return false
                    } catch {
                        return (error as? DomainError)?.code == "rate_limited"
                    }
                }
                sent += 1
                inFlight += 1
            }
            group.cancelAll()
            for try await wasRefused in group where wasRefused { refused += 1 }
        }
        let elapsed = ContinuousClock.now - start
        return (sent, refused, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    try await Task.sleep(for: .seconds(1))
    let attacked = try await logIns()
    flood.cancel()
    let (sent, refused, floodSeconds) = (try? await flood.value) ?? (0, 0, 1)
    return """
        \(row("log-in, right password, bcrypt 12, 8 at once, alone", alone.samples))
        \(row("log-in, right password, bcrypt 12, 8 at once, during the flood", attacked.samples))

        Log-ins with the right password (bcrypt cost 12, 8 people at once): \(String(format: "%.1f", alone.rate)) per second alone, \
        \(String(format: "%.1f", attacked.rate)) per second while wrong passwords hit one other account (\(sent) in \
        \(String(format: "%.1f", floodSeconds)) s, \(String(format: "%.0f", Double(sent) / floodSeconds)) a second; \(refused) refused with 429 before any bcrypt).
        """
}

/// A bulk role change of 1,000 editors to managers and back, on a plan
/// without a seat limit (each run changes all 1,000).
func measureBulkRoleChange(_ components: CrewComponents, workspaceID: UUID, owner: WorkspaceAccess, runs: Int) async throws -> String {
    let env = components.services.env
    let db = components.services.database.database()
    let tag = UUID().uuidString.prefix(6).lowercased()
    let now = env.clock.now
    let users = (0..<1_000).map { UserModel(id: UUID(), email: "bulk.\($0).\(tag)@bench.crew.test", name: "Bulk \($0)", passwordHash: "x", createdAt: now) }
    let memberships = users.enumerated().map { index, user in
        MembershipModel(
            id: UUID(), workspaceID: workspaceID, userID: user.id!, role: .editor, joinedVia: "email",
            joinedAt: now.addingTimeInterval(Double(index) / 1000))
    }
    for start in stride(from: 0, to: 1_000, by: 500) {
        try await Array(users[start..<start + 500]).create(on: db)
        try await Array(memberships[start..<start + 500]).create(on: db)
    }
    let ids = memberships.map { $0.id!.apiString }
    var samples: [Double] = []
    for run in 0..<runs {
        let role = run % 2 == 0 ? "manager" : "editor"
        samples += try await measure(1) { _ = try await components.services.members.updateMany(owner, ids: ids, patch: MemberPatch(role: role), on: db) }
    }
    return row("bulk role change of 1,000 members", samples.sorted())
}
