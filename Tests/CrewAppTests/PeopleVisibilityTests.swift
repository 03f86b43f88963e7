import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// Who sees whom (DESIGN.md §1), as a table of viewer × member kind: every
/// viewer lists the members page by page and reads every member, and gets
/// exactly the people the table names, with emails only where it says so.
/// Post authors, comments, inbox assignees and account connectors follow the
/// same rule.
@Suite struct PeopleVisibilityTests {
    /// The workspace: accounts A and B, and one member of each kind.
    struct Team {
        var wid: String
        var accountA: String
        var accountB: String
        /// Members by short name.
        var members: [String: TestMember]
        var owner: TestUser

        func user(_ name: String) -> TestUser { name == "owner" ? owner : members[name]!.user }
    }

    static func team(_ app: TestApp) async throws -> Team {
        let owner = try await app.signup("Olive Owner")
        let wid = try await app.createWorkspace(plan: "agency_plus", as: owner)
        let a = try await app.addAccount("Brand A", to: wid)
        let b = try await app.addAccount("Brand B", to: wid)
        var members: [String: TestMember] = [:]
        members["admin"] = try await app.addMember("Ada Admin", to: wid, role: .admin)
        members["managerA"] = try await app.addMember("Mia ManagerA", to: wid, role: .manager, accounts: [a])
        members["managerB"] = try await app.addMember("Max ManagerB", to: wid, role: .manager, accounts: [b])
        members["editorA"] = try await app.addMember("Eve EditorA", to: wid, role: .editor, permissions: [.manageInbox], accounts: [a])
        members["clientA"] = try await app.addMember("Cleo ClientA", to: wid, role: .client, permissions: [.manageInbox], accounts: [a])
        members["clientAB"] = try await app.addMember(
            "Cody ClientAB", to: wid, role: .client, permissions: [.publishPosts, .manageInbox], accounts: [a, b])
        members["clientB"] = try await app.addMember("Bea ClientB", to: wid, role: .client, accounts: [b])
        members["clientNone"] = try await app.addMember("Nia NoAccount", to: wid, role: .client)
        return Team(wid: wid, accountA: a, accountB: b, members: members, owner: owner)
    }

    /// What each viewer sees: `full` members with every field, `limited` by
    /// name and role only; everyone else does not exist for them.
    static let table: [(viewer: String, full: Set<String>, limited: Set<String>)] = {
        let everyone: Set<String> = ["owner", "admin", "managerA", "managerB", "editorA", "clientA", "clientAB", "clientB", "clientNone"]
        let team: Set<String> = ["owner", "admin", "managerA", "managerB", "editorA"]
        return [
            ("owner", everyone, []),
            ("admin", everyone, []),
            ("managerA", team.union(["clientA", "clientAB"]), []),
            ("editorA", team.union(["clientA", "clientAB"]), []),
            ("managerB", team.union(["clientAB", "clientB"]), []),
            ("clientA", ["clientA"], ["owner", "admin", "managerA", "editorA"]),
            ("clientAB", ["clientAB"], ["owner", "admin", "managerA", "editorA", "managerB"]),
            ("clientB", ["clientB"], ["owner", "admin", "managerB"]),
            ("clientNone", ["clientNone"], ["owner", "admin"]),
        ]
    }()

    static let limitedFields = ["email", "permissions", "allowedPlatforms", "accountIds", "countsAsSeat", "joinedVia", "joinedAt"]

    @Test func everyViewerListsAndReadsExactlyWhomTheTableNames() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            var idToName: [String: String] = [:]
            idToName[try await Self.ownerMemberID(app, team)] = "owner"
            for (name, member) in team.members { idToName[member.memberID] = name }
            for row in Self.table {
                let viewer = team.user(row.viewer)
                // Page by page (2 at a time), so the keyset holds for filtered pages too.
                var seen: [String: [String: Any]] = [:]
                var cursor: String? = nil
                repeat {
                    let path = "/api/v1/workspaces/\(team.wid)/members?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await app.client.send(.get, path, token: viewer.token)
                    #expect(page.status == .ok, "\(row.viewer): \(page.text)")
                    for item in page.object["items"] as? [[String: Any]] ?? [] {
                        let name = try #require(idToName[item["id"] as? String ?? ""])
                        #expect(seen[name] == nil, "\(row.viewer) got \(name) twice")
                        seen[name] = item
                    }
                    cursor = page.object["nextCursor"] as? String
                } while cursor != nil
                #expect(Set(seen.keys) == row.full.union(row.limited), "\(row.viewer) lists \(seen.keys.sorted())")
                for (name, item) in seen {
                    let limited = row.limited.contains(name)
                    for field in Self.limitedFields {
                        #expect((item[field] != nil) == !limited, "\(row.viewer) sees \(name).\(field): \(item[field] ?? "absent")")
                    }
                    #expect(item["name"] is String && item["role"] is String)
                }
                // Reading one member answers the same: 200 with the same fields, or 404.
                for (id, name) in idToName {
                    let answer = try await app.client.send(.get, "/api/v1/workspaces/\(team.wid)/members/\(id)", token: viewer.token)
                    if let listed = seen[name] {
                        #expect(answer.status == .ok, "\(row.viewer) reading \(name)")
                        #expect(Set(answer.object.keys) == Set(listed.keys), "\(row.viewer) reading \(name): \(answer.text)")
                    } else {
                        #expect(answer.status == .notFound, "\(row.viewer) reading \(name): \(answer.status)")
                        #expect(answer.problem?.code == "not_found")
                    }
                }
            }
        }
    }

    @Test func managersSeeOnlyTheGrantsTheyShare() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            let cody = team.members["clientAB"]!.memberID
            func grants(as viewer: String) async throws -> Set<String> {
                let answer = try await app.client.send(.get, "/api/v1/workspaces/\(team.wid)/members/\(cody)", token: team.user(viewer).token)
                return Set(answer.object["accountIds"] as? [String] ?? [])
            }
            #expect(try await grants(as: "owner") == [team.accountA, team.accountB])
            #expect(try await grants(as: "managerA") == [team.accountA])
            #expect(try await grants(as: "managerB") == [team.accountB])
            #expect(try await grants(as: "clientAB") == [team.accountA, team.accountB])
        }
    }

    @Test func aClientCannotFindOtherClientsOrTeamEmailsBySearching() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            let cleo = team.user("clientA")
            func names(_ query: String, as user: TestUser) async throws -> Set<String> {
                let answer = try await app.client.send(.get, "/api/v1/workspaces/\(team.wid)/members?q=\(query)", token: user.token)
                #expect(answer.status == .ok)
                return Set((answer.object["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
            }
            // Another client on the same account, by name and by email: nothing.
            #expect(try await names("cody", as: cleo).isEmpty)
            let codyEmail = team.user("clientAB").email
            #expect(try await names(codyEmail, as: cleo).isEmpty)
            // A team member's email is not searchable for a client; their name is.
            let miaEmail = team.user("managerA").email
            #expect(try await names(miaEmail, as: cleo).isEmpty)
            #expect(try await names("mia", as: cleo) == ["Mia ManagerA"])
            // Their own email finds themselves; the role filter stays inside what they see.
            #expect(try await names(cleo.email, as: cleo) == ["Cleo ClientA"])
            let clients = try await app.client.send(.get, "/api/v1/workspaces/\(team.wid)/members?role=client", token: cleo.token)
            #expect((clients.object["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["Cleo ClientA"])
            // A manager on A finds the clients of A by email, not those of B only.
            #expect(try await names(codyEmail, as: team.user("managerA")) == ["Cody ClientAB"])
            #expect(try await names(team.user("clientB").email, as: team.user("managerA")).isEmpty)
        }
    }

    @Test func anotherClientIsNotNamedBesidePostsCommentsConversationsOrAccounts() async throws {
        try await TestApp.run { app in
            let team = try await Self.team(app)
            let cody = team.user("clientAB")
            let codyMembership = try parseID(team.members["clientAB"]!.memberID)
            // Cody (a client who may publish) writes a post on A, comments on it,
            // is assigned a conversation there and connected account A.
            let post = try #require(try await app.writePost("From Cody", on: [team.accountA], in: team.wid, as: cody, submit: true).first)
            let postID = try #require(post["id"] as? String)
            let comment = try await app.client.send(
                .post, "/api/v1/workspaces/\(team.wid)/posts/\(postID)/comments", token: cody.token, json: ["text": "Looks good to me"])
            #expect(comment.status == .created, "\(comment.text)")
            let conversation = ConversationModel()
            conversation.workspaceID = try parseID(team.wid)
            conversation.accountID = try parseID(team.accountA)
            conversation.externalID = "c-1"
            conversation.participant = "@fan"
            conversation.status = "open"
            conversation.assignedMembershipID = codyMembership
            conversation.unread = true
            conversation.lastMessageAt = app.clock.now
            conversation.lastMessagePreview = "Hello"
            conversation.createdAt = app.clock.now
            conversation.updatedAt = app.clock.now
            try await conversation.create(on: app.db)
            let account = try #require(try await SocialAccountModel.find(try parseID(team.accountA), on: app.db))
            account.connectedByUserID = try parseID(cody.id)
            try await account.update(on: app.db)

            // The agency shares the post with its clients.
            let approve = try await app.client.send(.post, "/api/v1/workspaces/\(team.wid)/posts/\(postID)/approve", token: team.owner.token)
            #expect(approve.status == .ok, "\(approve.text)")

            func people(as user: TestUser) async throws -> [String: [String: Any]] {
                let base = "/api/v1/workspaces/\(team.wid)"
                let post = try await app.client.send(.get, "\(base)/posts/\(postID)", token: user.token)
                let comments = try await app.client.send(.get, "\(base)/posts/\(postID)/comments", token: user.token)
                let inbox = try await app.client.send(.get, "\(base)/inbox/conversations", token: user.token)
                let accounts = try await app.client.send(.get, "\(base)/accounts", token: user.token)
                #expect(post.status == .ok && comments.status == .ok && inbox.status == .ok && accounts.status == .ok, "\(post.text)")
                let brandA = (accounts.object["items"] as? [[String: Any]] ?? []).first { $0["id"] as? String == team.accountA }
                return [
                    "author": post.object["author"] as? [String: Any] ?? [:],
                    "comment": ((comments.object["items"] as? [[String: Any]])?.first?["author"] as? [String: Any]) ?? [:],
                    "assignee": ((inbox.object["items"] as? [[String: Any]])?.first?["assignedTo"] as? [String: Any]) ?? [:],
                    "connectedBy": brandA?["connectedBy"] as? [String: Any] ?? [:],
                ]
            }
            // Cleo, another client of A, sees that someone did it, not who.
            for (place, person) in try await people(as: team.user("clientA")) {
                #expect(person["name"] as? String == PeopleInSight.hiddenName, "\(place): \(person)")
                #expect(person["userId"] == nil && person["memberId"] == nil, "\(place): \(person)")
            }
            // The manager of A and Cody themselves see Cody.
            for viewer in ["managerA", "clientAB", "owner"] {
                for (place, person) in try await people(as: team.user(viewer)) {
                    #expect(person["name"] as? String == "Cody ClientAB", "\(viewer) \(place): \(person)")
                    #expect(person["userId"] as? String == cody.id || person["memberId"] as? String == codyMembership.apiString)
                }
            }
        }
    }

    static func ownerMemberID(_ app: TestApp, _ team: Team) async throws -> String {
        let owner = try await MembershipModel.query(on: app.db)
            .filter(\.$workspaceID == (try parseID(team.wid))).filter(\.$userID == (try parseID(team.owner.id))).first()
        return try #require(owner?.id?.apiString)
    }
}
