import CrewApp
import CrewConnectors
import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import Logging

/// Social accounts: the accounts list in a workspace of 1,000 accounts (owner,
/// and a client with 20 grants), and the whole connect round trip against the
/// sandbox platform on its own loopback port (start → consent page → callback).
func measureAccounts(_ components: CrewComponents, reps: Int) async throws -> String {
    let env = components.services.env
    let database = components.services.database
    let db = database.database()
    let (workspaceID, ownerEmail) = try await ScaleSeeder(env: env).seed(.init(members: 50, accounts: 1_000, invitations: 0, seed: 7), on: db)
    let owner = try await UserModel.query(on: db).filter(\.$email == ownerEmail).first()!
    let workspaces = components.services.workspaces
    let ownerAccess = try await workspaces.access(userID: owner.id!, workspaceID: workspaceID, actor: .commandLine, on: db)

    // A client with 20 grants, spread over the list.
    let accountIDs = try await SocialAccountModel.query(on: db).filter(\.$workspaceID == workspaceID).sort(\.$createdAt).all(\.$id)
    let client = UserModel(id: UUID(), email: "bench.client@bench.crew.test", name: "Bench Client", passwordHash: "x", createdAt: env.clock.now)
    try await client.create(on: db)
    let membership = MembershipModel(
        workspaceID: workspaceID, userID: client.id!, role: .client, allowedPlatforms: [.sandbox], joinedVia: "email", joinedAt: env.clock.now)
    try await membership.create(on: db)
    for id in stride(from: 0, to: accountIDs.count, by: accountIDs.count / 20).prefix(20).map({ accountIDs[$0] }) {
        try await AccountGrantModel(membershipID: membership.id!, accountID: id, workspaceID: workspaceID).create(on: db)
    }
    let clientAccess = try await workspaces.access(userID: client.id!, workspaceID: workspaceID, actor: .commandLine, on: db)

    let service = components.services.socialAccounts
    let ownerPage = try await measure(reps) {
        _ = try await service.list(ownerAccess, status: nil, limit: try PageSize("50"), cursor: nil, on: db)
    }
    let ownerFull = try await measure(reps) {
        _ = try await service.list(ownerAccess, status: nil, limit: try PageSize("200"), cursor: nil, on: db)
    }
    let clientList = try await measure(reps) {
        let page = try await service.list(clientAccess, status: nil, limit: try PageSize("50"), cursor: nil, on: db)
        precondition(page.items.count == 20)
    }

    // The connect round trip, with Crew's connector pointed at a sandbox on its own port.
    let roundTrips = try await SandboxHarness.run { sandbox in
        var settings = ConnectorSettings()
        settings.sandboxURL = sandbox.baseURL
        settings.sandboxClientID = SandboxHarness.clientID
        let connectors = ConnectorRegistry.build(
            settings: settings, sandboxURL: sandbox.baseURL, sandboxSecret: sandbox.clientSecret, clock: env.clock)
        let accounts = SocialAccountService(env: env, connectors: connectors)
        let (target, targetOwner) = try await ScaleSeeder(env: env).seed(.init(members: 1, accounts: 0, invitations: 0, seed: 9), on: db)
        let user = try await UserModel.query(on: db).filter(\.$email == targetOwner).first()!
        let access = try await workspaces.access(userID: user.id!, workspaceID: target, actor: .commandLine, on: db)
        return try await measure(max(10, reps / 4)) {
            let start = try await accounts.startConnect(access, platform: "sandbox", on: db)
            let callback = try await ConsentBrowser.decide(authorizeURL: start.authorizeUrl, profiles: ["sbx-101", "sbx-102"], approve: true)
            let query = ConsentBrowser.query(callback)
            let result = try await accounts.finishConnect(
                .init(platform: "sandbox", state: query["state"], code: query["code"], error: nil), userID: user.id!, ip: nil, on: db)
            precondition(result.connected.count + result.reconnected.count == 2)
        }
    }
    return """
        | accounts list, owner, 1,000 accounts (page of 50) | \(ownerPage.count) | \(format(ownerPage)) |
        | accounts list, owner, 1,000 accounts (page of 200) | \(ownerFull.count) | \(format(ownerFull)) |
        | accounts list, client with 20 grants of 1,000 | \(clientList.count) | \(format(clientList)) |
        | connect round trip against the sandbox (2 profiles) | \(roundTrips.count) | \(format(roundTrips)) |
        """
}
