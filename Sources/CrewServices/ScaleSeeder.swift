import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// Fills a database with a large, realistic workspace quickly (multi-row
/// inserts), deterministic from a seed. Used by `crew demo --scale` and the
/// benchmarks.
public struct ScaleSeeder: Sendable {
    public struct Options: Sendable {
        public var members: Int
        public var accounts: Int
        public var invitations: Int
        public var seed: UInt64

        public init(members: Int, accounts: Int = 30, invitations: Int = 50, seed: UInt64 = 42) {
            self.members = members
            self.accounts = accounts
            self.invitations = invitations
            self.seed = seed
        }
    }

    /// Every generated person signs in with this password.
    public static let password = "scale-password-1"

    let env: CrewEnvironment

    public init(env: CrewEnvironment) {
        self.env = env
    }

    /// Creates one workspace (agency_plus, so seats never refuse) with an owner and
    /// `members` members: mostly clients, one in five with publish rights, and a
    /// team of editors and managers.
    /// - Parameter progress: called with (done, total) after each batch.
    /// - Returns: the workspace id and the owner's email.
    public func seed(_ options: Options, on db: any Database, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> (workspaceID: UUID, ownerEmail: String) {
        var random = SeededRandom(seed: options.seed)
        let hash = try await env.passwordHasher.hash(Self.password)
        let tag = String(random.next() % 1_000_000)
        let owner = try await AccountService(env: env).createUser(
            email: "owner-\(tag)@scale.crew.test", password: Self.password, name: "Scale Owner \(tag)", on: db)
        let workspace = try await WorkspaceService(env: env).create(
            name: "Scale Agency \(tag) (\(options.members) members)", plan: "agency_plus", ownerID: try parseID(owner.id),
            actor: .commandLine, on: db)
        let workspaceID = try parseID(workspace.id)
        let start = env.clock.now

        let accounts = (0..<options.accounts).map { index in
            SocialAccountModel(
                id: UUID(), workspaceID: workspaceID, platform: Platform.allCases[index % Platform.allCases.count].rawValue,
                name: "\(Self.brands[index % Self.brands.count]) \(index)", connectedByUserID: nil,
                createdAt: start.addingTimeInterval(Double(index) / 1000).wholeMilliseconds, externalID: "scale-\(tag)-\(index)")
        }
        for chunk in stride(from: 0, to: accounts.count, by: 500) {
            try await Array(accounts[chunk..<min(chunk + 500, accounts.count)]).create(on: db)
        }
        let accountIDs = accounts.map { $0.id! }

        let batch = 500
        var done = 0
        while done < options.members {
            let count = min(batch, options.members - done)
            var users: [UserModel] = []
            var memberships: [MembershipModel] = []
            var grants: [AccountGrantModel] = []
            for offset in 0..<count {
                let n = done + offset
                let first = Self.firstNames[Int(random.next() % UInt64(Self.firstNames.count))]
                let last = Self.lastNames[Int(random.next() % UInt64(Self.lastNames.count))]
                let user = UserModel(
                    id: UUID(), email: "\(first.lowercased()).\(last.lowercased()).\(n)-\(tag)@scale.crew.test",
                    name: "\(first) \(last)", passwordHash: hash, createdAt: start)
                let role: Role = n % 100 == 0 ? .manager : (n % 50 == 1 ? .editor : .client)
                let permissions: Set<ClientPermission> = role == .client
                    ? (n % 5 == 0 ? [.publishPosts, .viewAnalytics] : [.viewAnalytics, .approvePosts]) : []
                let membership = MembershipModel(
                    id: UUID(), workspaceID: workspaceID, userID: user.id!, role: role, permissions: permissions,
                    allowedPlatforms: role == .client ? [.sandbox, .instagram] : [],
                    joinedVia: n % 3 == 0 ? "link" : "email", joinedAt: start.addingTimeInterval(Double(n)).wholeMilliseconds)
                users.append(user)
                memberships.append(membership)
                if !accountIDs.isEmpty {
                    grants.append(AccountGrantModel(membershipID: membership.id!, accountID: accountIDs[n % accountIDs.count], workspaceID: workspaceID))
                }
            }
            let (userRows, membershipRows, grantRows) = (users, memberships, grants)
            try await db.transaction { tx in
                try await userRows.create(on: tx)
                try await membershipRows.create(on: tx)
                if !grantRows.isEmpty { try await grantRows.create(on: tx) }
            }
            done += count
            progress(done, options.members)
        }
        _ = try await InvitationService(env: env).createBulkForSeeding(workspaceID: workspaceID, count: options.invitations, tag: tag, on: db)
        // Fresh statistics after a bulk load, as autovacuum would gather later:
        // without them PostgreSQL sorted a whole 10,000-member workspace for a
        // page of 50 instead of walking the page index (bench/NOTES.md).
        if db.isPostgres, let sql = db as? any SQLDatabase {
            try await sql.raw("ANALYZE").run()
        }
        return (workspaceID, owner.email)
    }

    static let firstNames = ["Ada", "Ben", "Cleo", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Mo", "Nia", "Otto", "Pia", "Quin", "Rae", "Sol", "Tia"]
    static let lastNames = ["Adler", "Brook", "Costa", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Patel"]
    static let brands = ["Blue Bottle", "Northwind", "Lumen Bakery", "Fjord Bikes", "Cedar Studio", "Harbor Gym"]
}
