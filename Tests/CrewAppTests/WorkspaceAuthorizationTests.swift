import CrewCore
import CrewStore
import CrewTestSupport
import FluentSQL
import Foundation
import HTTPTypes
import Testing

@testable import CrewHTTP

/// A request within a workspace reads the caller's membership with the
/// session, in one statement (run on SQLite and on PostgreSQL). What it reads
/// must be what the workspace says at that request, for every kind of caller.
@Suite struct WorkspaceAuthorizationTests {
    @Test func thePathOnlyHintsAtTheWorkspace() {
        let id = UUID()
        #expect(AuthenticationMiddleware.workspaceID(inPath: "/api/v1/workspaces/\(id.apiString)/members") == id)
        #expect(AuthenticationMiddleware.workspaceID(inPath: "/api/v1/workspaces/\(id.uuidString)") == id)
        #expect(AuthenticationMiddleware.workspaceID(inPath: "/w/\(id.apiString)/users") == id)
        for other in ["/api/v1/workspaces", "/api/v1/workspaces/", "/api/v1/workspaces/nope/members", "/api/v1/me", "/w/",
            "/api/v1/join/\(id.apiString)", "/wx/\(id.apiString)", "/api/v1/workspaces/\(id.apiString)x/members"]
        {
            #expect(AuthenticationMiddleware.workspaceID(inPath: other) == nil, "\(other)")
        }
    }

    @Test func eachRequestSeesTheMembershipAsItIsThen() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(as: owner)
            let admin = try await app.addMember("Ada", to: wid, role: .admin)
            let editor = try await app.addMember("Ed", to: wid, role: .editor)
            let stranger = try await app.signup("Stan")
            let members = "/api/v1/workspaces/\(wid)/members"
            func patch(_ who: TestUser, _ body: [String: any Sendable]) async throws -> HTTPResponse.Status {
                try await app.client.send(.patch, "\(members)/\(editor.memberID)", token: who.token, json: body).status
            }
            #expect(try await app.client.send(.get, members, token: stranger.token).status == .notFound)
            #expect(try await patch(admin.user, ["role": "manager"]) == .ok)
            // Demoted by hand between two requests: the next one knows.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE memberships SET role = 'editor' WHERE id = \(bind: try parseID(admin.memberID))").run()
            #expect(try await patch(admin.user, ["role": "editor"]) == .forbidden)
            // Removed: not found from then on, on the API and on the pages.
            #expect(try await app.client.send(.delete, "\(members)/\(admin.memberID)", token: owner.token).status == .noContent)
            #expect(try await app.client.send(.get, members, token: admin.user.token).status == .notFound)
            // A personal access token is read as before, and authorized the same way.
            let created = try await app.client.send(.post, "/api/v1/me/tokens", token: owner.token, json: ["name": "ci"])
            let secret = try #require(created.object["token"] as? String)
            let listed = try await app.client.send(.get, members, token: secret)
            #expect(listed.status == .ok)
            #expect((listed.object["items"] as? [[String: Any]])?.count == 2)
            // A path naming no workspace the caller belongs to, or none at all.
            #expect(try await app.client.send(.get, "/api/v1/workspaces/\(UUID().apiString)/members", token: owner.token).status == .notFound)
            #expect(try await app.client.send(.get, "/api/v1/workspaces/garbage/members", token: owner.token).status != .ok)
            #expect(try await app.client.send(.get, "/api/v1/me", token: owner.token).status == .ok)
        }
    }
}
