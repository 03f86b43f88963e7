import HummingbirdTesting
import CrewCore
import CrewServices
import CrewStore
import Foundation

/// A member added to a test workspace.
public struct TestMember: Sendable {
    public var user: TestUser
    public var memberID: String
}

extension TestApp {
    /// Signs a person up and puts them straight into a workspace (test setup; the
    /// invitation flow itself is tested through the API).
    public func addMember(
        _ name: String, to workspaceID: String, role: Role, permissions: Set<ClientPermission> = [],
        allowedPlatforms: Set<Platform> = [], accounts: [String] = []
    ) async throws -> TestMember {
        let user = try await signup(name)
        // Members added in one test join one second apart, in order, like real ones.
        clock.advance(by: 1)
        let membership = MembershipModel(
            workspaceID: try parseID(workspaceID), userID: try parseID(user.id), role: role, permissions: permissions,
            allowedPlatforms: allowedPlatforms, joinedVia: "email", joinedAt: clock.now)
        try await membership.create(on: db)
        for account in accounts {
            try await AccountGrantModel(membershipID: membership.id!, accountID: try parseID(account), workspaceID: membership.workspaceID)
                .create(on: db)
        }
        return TestMember(user: user, memberID: membership.id!.apiString)
    }

    /// A social account row in a workspace (connecting real ones is the accounts feature).
    public func addAccount(_ name: String, to workspaceID: String, platform: Platform = .sandbox) async throws -> String {
        let account = SocialAccountModel(workspaceID: try parseID(workspaceID), platform: platform.rawValue, name: name, connectedByUserID: nil, createdAt: clock.now)
        try await account.create(on: db)
        return account.id!.apiString
    }

    /// The invitation token from the newest mail queued for `email`, as a person
    /// would copy it from the message.
    public func invitationToken(for email: String) async throws -> String {
        try await tokenInNewestMail(to: email)
    }

    /// The `token=` of the newest mail queued for `email` (an invitation, a
    /// password reset), as a person would copy it from the message.
    public func tokenInNewestMail(to email: String, kind: String? = nil) async throws -> String {
        var query = OutboxMessageModel.query(on: db).filter(\.$toAddress == email)
        if let kind { query = query.filter(\.$kind == kind) }
        guard let mail = try await query.sort(\.$seq, .descending).first(),
            let text = MailBody.open(mail.textBody, with: services.env.sealer), let range = text.range(of: "token=")
        else { throw TestFailure("no mail with a token for \(email)") }
        return String(text[range.upperBound...].prefix(SecureToken.textLength))
    }
}

extension TestApp {
    /// Connects sandbox profiles as `user` through the whole OAuth round trip:
    /// Crew's connect call, the sandbox consent page over HTTP, and the callback.
    /// - Returns: the callback's answer (a redirect to the accounts page).
    public func connectSandbox(
        as user: TestUser, to workspaceID: String, profiles: [String], approve: Bool = true, accountID: String? = nil
    ) async throws -> TestResponse {
        let path = accountID.map { "/api/v1/workspaces/\(workspaceID)/accounts/\($0)/reconnect" } ?? "/api/v1/workspaces/\(workspaceID)/accounts/connect"
        let start = try await client.send(.post, path, token: user.token, json: accountID == nil ? ["platform": "sandbox"] : [:])
        guard start.status == .ok, let url = start.object["authorizeUrl"] as? String else {
            throw TestFailure("connect answered \(start.status): \(start.text)")
        }
        let callback = try await ConsentBrowser.decide(authorizeURL: url, profiles: profiles, approve: approve)
        return try await client.send(.get, ConsentBrowser.pathAndQuery(callback), token: user.token)
    }

    /// An owner (Olga) with a workspace and its one connected sandbox account
    /// (Harbor Bakery, `sbx-101`), for tests of what happens on an account.
    public func workspaceWithSandboxAccount() async throws -> (owner: TestUser, wid: String, account: String) {
        let owner = try await signup("Olga")
        let wid = try await createWorkspace(as: owner)
        _ = try await connectSandbox(as: owner, to: wid, profiles: ["sbx-101"])
        guard let account = try await SocialAccountModel.query(on: db).first()?.id?.apiString else {
            throw TestFailure("the sandbox account was not connected")
        }
        return (owner, wid, account)
    }
}
