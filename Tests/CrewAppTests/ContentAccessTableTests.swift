import CrewCore
import CrewHTTP
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Every post, inbox and analytics route, called by every kind of member, on
/// an account assigned to them and on one that is not, answers as the policy
/// (and the post workflow) says: the success status, 403, or 404.
@Suite struct ContentAccessTableTests {
    /// One route exercised with a fresh fixture: the documented path and what to expect.
    struct Check: Sendable {
        var route: DocumentedRoute
        var success: Int
        /// nil: allowed; otherwise the refusal the domain rules give this member.
        var rule: @Sendable (MemberFacts, Bool) -> DomainError?
        var perform: @Sendable (Fixture) async throws -> TestResponse
    }

    /// What one call needs: the app, the caller, and the account under test with its fixtures.
    struct Fixture: Sendable {
        var app: TestApp
        var wid: String
        var user: TestUser
        var account: String
        var conversation: String
        var editorID: UUID
        var ownerID: UUID

        var base: String { "/api/v1/workspaces/\(wid)" }

        func post(_ status: PostStatus, by author: UUID) async throws -> String {
            let post = PostModel()
            post.workspaceID = try parseID(wid)
            post.accountID = try parseID(account)
            post.batchID = UUID()
            post.authorUserID = author
            post.text = "Fixture"
            post.mediaURLsJSON = "[]"
            post.status = status
            post.scheduledAt = app.clock.now.addingTimeInterval(86_400)
            post.timeZone = "UTC"
            post.sortAt = post.scheduledAt!
            post.attempts = 0
            post.createdAt = app.clock.now
            post.updatedAt = app.clock.now
            try await post.create(on: app.db)
            return post.id!.apiString
        }

        func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil) async throws -> TestResponse {
            try await app.client.send(method, base + path, token: user.token, json: json)
        }
    }

    static func policy(_ action: Action) -> @Sendable (MemberFacts, Bool) -> DomainError? {
        { facts, assigned in
            if case .deny(let error) = Policy.decide(facts, action, accountAssigned: assigned) { return error }
            return nil
        }
    }

    /// The workflow's answer for an assigned account; 404 on an unassigned one for everyone but owner and admins.
    /// - Parameter status: the fixture post's status; clients do not see posts the agency has not shared.
    static func workflow(
        on status: PostStatus, _ check: @escaping @Sendable (MemberFacts) throws -> Void
    ) -> @Sendable (MemberFacts, Bool) -> DomainError? {
        { facts, assigned in
            if !assigned, facts.role != .owner, facts.role != .admin { return .notFound() }
            if facts.role == .client, !PostStatus.sharedWithClients.contains(status) { return .notFound() }
            do { try check(facts) } catch { return error as? DomainError ?? .conflict("\(error)") }
            return nil
        }
    }

    static func route(_ method: String, _ path: String) -> DocumentedRoute {
        DocumentedRoute(method: method, path: "/api/v1/workspaces/{wid}/" + path)
    }

    static let checks: [Check] = [
        Check(route: route("GET", "posts"), success: 200, rule: policy(.viewPosts)) { f in try await f.send(.get, "/posts?accountId=\(f.account)") },
        Check(route: route("GET", "posts/{pid}"), success: 200, rule: policy(.viewPosts)) { f in
            try await f.send(.get, "/posts/\(try await f.post(.scheduled, by: f.ownerID))")
        },
        Check(route: route("POST", "posts"), success: 201, rule: policy(.createPosts)) { f in
            try await f.send(.post, "/posts", json: ["accountIds": [f.account], "text": "Hello"])
        },
        Check(route: route("PATCH", "posts/{pid}"), success: 200, rule: workflow(on: .draft) { try PostWorkflow.edit(actor: $0, isAuthor: false, status: .draft) }) { f in
            try await f.send(.patch, "/posts/\(try await f.post(.draft, by: f.ownerID))", json: ["text": "Edited"])
        },
        Check(route: route("POST", "posts/{pid}/submit"), success: 200, rule: workflow(on: .draft) { try PostWorkflow.edit(actor: $0, isAuthor: false, status: .draft) }) { f in
            try await f.send(.post, "/posts/\(try await f.post(.draft, by: f.ownerID))/submit")
        },
        Check(
            route: route("POST", "posts/{pid}/approve"), success: 200,
            rule: workflow(on: .pendingApproval) { _ = try PostWorkflow.approve(actor: $0, isAuthor: false, status: .pendingApproval, clientApproverExists: false) }
        ) { f in try await f.send(.post, "/posts/\(try await f.post(.pendingApproval, by: f.editorID))/approve") },
        Check(route: route("POST", "posts/{pid}/reject"), success: 200, rule: workflow(on: .pendingApproval) { try PostWorkflow.reject(actor: $0, isAuthor: false, status: .pendingApproval) }) { f in
            try await f.send(.post, "/posts/\(try await f.post(.pendingApproval, by: f.editorID))/reject", json: ["comment": "Shorter, please"])
        },
        Check(
            route: route("POST", "posts/{pid}/request-client-approval"), success: 200,
            rule: workflow(on: .scheduled) { try PostWorkflow.requestClientApproval(actor: $0, isAuthor: false, status: .scheduled) }
        ) { f in try await f.send(.post, "/posts/\(try await f.post(.scheduled, by: f.ownerID))/request-client-approval") },
        Check(route: route("GET", "posts/{pid}/comments"), success: 200, rule: policy(.viewPosts)) { f in
            try await f.send(.get, "/posts/\(try await f.post(.scheduled, by: f.ownerID))/comments")
        },
        Check(route: route("POST", "posts/{pid}/comments"), success: 201, rule: policy(.commentOnPosts)) { f in
            try await f.send(.post, "/posts/\(try await f.post(.scheduled, by: f.ownerID))/comments", json: ["text": "Nice"])
        },
        Check(route: route("GET", "inbox/conversations"), success: 200, rule: policy(.readInbox)) { f in
            try await f.send(.get, "/inbox/conversations?accountId=\(f.account)")
        },
        Check(route: route("GET", "inbox/conversations/{cid}"), success: 200, rule: policy(.readInbox)) { f in
            try await f.send(.get, "/inbox/conversations/\(f.conversation)")
        },
        Check(route: route("POST", "inbox/conversations/{cid}/read"), success: 204, rule: policy(.readInbox)) { f in
            try await f.send(.post, "/inbox/conversations/\(f.conversation)/read")
        },
        Check(route: route("POST", "inbox/conversations/{cid}/replies"), success: 201, rule: policy(.replyInbox)) { f in
            try await f.send(.post, "/inbox/conversations/\(f.conversation)/replies", json: ["text": "Thanks!"])
        },
        Check(route: route("PATCH", "inbox/conversations/{cid}"), success: 200, rule: policy(.replyInbox)) { f in
            try await f.send(.patch, "/inbox/conversations/\(f.conversation)", json: ["status": "open"])
        },
        Check(route: route("GET", "analytics"), success: 200, rule: policy(.viewAnalytics)) { f in try await f.send(.get, "/analytics?accountId=\(f.account)") },
        Check(route: route("GET", "analytics.csv"), success: 200, rule: policy(.viewAnalytics)) { f in
            try await f.send(.get, "/analytics.csv?accountId=\(f.account)")
        },
        Check(route: route("POST", "accounts/{aid}/sync"), success: 200, rule: policy(.viewPosts)) { f in try await f.send(.post, "/accounts/\(f.account)/sync") },
        Check(route: route("GET", "post-settings"), success: 200, rule: { _, _ in nil }) { f in try await f.send(.get, "/post-settings") },
        Check(route: route("PATCH", "post-settings"), success: 200, rule: policy(.manageMembers)) { f in
            try await f.send(.patch, "/post-settings", json: ["unapprovedPosts": "hold"])
        },
    ]

    @Test func everyContentRouteIsInTheTable() async throws {
        try await TestApp.run { app in
            let content = app.components.routes.routes.filter { route in
                ["/posts", "/inbox/", "/analytics", "/post-settings", "/sync"].contains { route.path.contains($0) }
            }
            #expect(Set(content) == Set(Self.checks.map(\.route)))
        }
    }

    @Test func everyMemberKindGetsWhatThePolicySays() async throws {
        let clock = TestClock()
        try await SandboxHarness.run(clock: clock) { sandbox in
            try await TestApp.run(environment: sandbox.environment, clock: clock) { app in
                let owner = try await app.signup("Olga")
                let wid = try await app.createWorkspace(plan: "agency_plus", as: owner)
                _ = try await app.connectSandbox(as: owner, to: wid, profiles: ["sbx-101", "sbx-102"])
                let accounts = try await SocialAccountModel.query(on: app.db).sort(\.$name).all()
                for account in accounts { try await app.services.platformSync.sync(account, on: app.db, logger: app.logs.logger()) }
                let assignedAccount = accounts[0].id!, otherAccount = accounts[1].id!
                func conversation(on account: UUID) async throws -> String {
                    try #require(try await ConversationModel.query(on: app.db).filter(\.$accountID == account).first()?.id?.apiString)
                }
                let editor = try await app.addMember("Fixture Editor", to: wid, role: .editor, accounts: [assignedAccount.apiString, otherAccount.apiString])
                var members: [(String, MemberFacts, TestUser)] = []
                for (label, facts) in PolicyMatrix.subjects {
                    if facts.role == .owner {
                        members.append((label, facts, owner))
                    } else {
                        let member = try await app.addMember(
                            label, to: wid, role: facts.role, permissions: facts.permissions, allowedPlatforms: facts.allowedPlatforms,
                            accounts: [assignedAccount.apiString])
                        members.append((label, facts, member.user))
                    }
                }
                var failures: [String] = []
                for (label, facts, user) in members {
                    for assigned in [true, false] {
                        let account = assigned ? assignedAccount : otherAccount
                        let fixture = Fixture(
                            app: app, wid: wid, user: user, account: account.apiString, conversation: try await conversation(on: account),
                            editorID: try parseID(editor.user.id), ownerID: try parseID(owner.id))
                        for check in Self.checks {
                            var expected = check.rule(facts, assigned).map(\.status) ?? check.success
                            // Only account A has a client who approves; asking on B is a conflict once allowed.
                            if expected == 200, check.route.path.hasSuffix("request-client-approval"), !assigned { expected = 409 }
                            let answer = try await check.perform(fixture)
                            if Int(answer.status.code) != expected {
                                failures.append("\(label) \(check.route) assigned=\(assigned): expected \(expected), got \(answer.status.code) \(answer.problem?.code ?? "")")
                            }
                        }
                    }
                }
                #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            }
        }
    }
}
