import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// Resending and revoking many invitations at once: all or nothing, one
/// audit row each, expired seat invitations checked against the seats once.
@Suite struct BulkInvitationTests {
    static func invite(_ app: TestApp, _ wid: String, _ owner: TestUser, _ emails: [String], role: String = "editor") async throws -> [String] {
        let answer = try await app.client.send(
            .post, "/api/v1/workspaces/\(wid)/invitations", token: owner.token, json: ["emails": emails, "role": role])
        guard answer.status == .created, let items = answer.object["items"] as? [[String: Any]] else { throw TestFailure(answer.text) }
        return items.compactMap { $0["id"] as? String }
    }

    static func bulk(_ app: TestApp, _ wid: String, _ owner: TestUser, _ what: String, _ ids: [String]) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/workspaces/\(wid)/invitations/bulk-\(what)", token: owner.token, json: ["invitationIds": ids])
    }

    @Test func resendManyMintsNewTokensAndRevokeManyEndsThem() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olive Owner")
            let wid = try await app.createWorkspace(plan: "agency", as: owner)
            let emails = ["a@example.com", "b@example.com", "c@example.com"]
            let ids = try await Self.invite(app, wid, owner, emails)
            let oldTokens = try await emails.asyncMap { try await app.invitationToken(for: $0) }
            let resent = try await Self.bulk(app, wid, owner, "resend", Array(ids.prefix(2)))
            #expect(resent.status == .ok, "\(resent.text)")
            #expect(resent.object["resent"] as? [String] == Array(ids.prefix(2)))
            let newTokens = try await emails.asyncMap { try await app.invitationToken(for: $0) }
            #expect(newTokens[0] != oldTokens[0] && newTokens[1] != oldTokens[1] && newTokens[2] == oldTokens[2])
            let revoked = try await Self.bulk(app, wid, owner, "revoke", ids)
            #expect(revoked.status == .ok)
            #expect(try await InvitationModel.query(on: app.db).filter(\.$state == InvitationModel.revoked).count() == 3)
            let rows = try await AuditEventModel.query(on: app.db).filter(\.$action == "invitation.revoked").all()
            #expect(rows.count == 3 && Set(rows.compactMap(\.batchID)).count == 1)
            // Revoked links no longer work.
            let accept = try await app.client.send(.post, "/api/v1/invitations/accept", token: owner.token, json: ["token": newTokens[0]])
            #expect(accept.status == .gone || accept.status == .notFound)
        }
    }

    @Test func oneIdThatIsNotAPendingInvitationHereChangesNothing() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olive Owner")
            let wid = try await app.createWorkspace(plan: "agency", as: owner)
            let ids = try await Self.invite(app, wid, owner, ["a@example.com", "b@example.com"])
            let other = try await app.signup("Otto Other")
            let otherWid = try await app.createWorkspace(as: other)
            let foreign = try await Self.invite(app, otherWid, other, ["x@example.com"])
            _ = try await Self.bulk(app, wid, owner, "revoke", [ids[1]])
            for what in ["resend", "revoke"] {
                let answer = try await Self.bulk(app, wid, owner, what, [ids[0], foreign[0], ids[1], "nonsense"])
                #expect(answer.status == .conflict, "\(answer.text)")
                let refused = (answer.object["refused"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(refused == [foreign[0], ids[1], "nonsense"])
            }
            #expect(try await InvitationModel.find(try parseID(ids[0]), on: app.db)?.state == InvitationModel.pending)
            #expect(try await InvitationModel.find(try parseID(foreign[0]), on: app.db)?.state == InvitationModel.pending)
            #expect(try await Self.bulk(app, wid, owner, "resend", []).status == .unprocessableContent)
            #expect(try await Self.bulk(app, wid, owner, "resend", [ids[0], ids[0]]).status == .unprocessableContent)
        }
    }

    @Test func expiredSeatInvitationsNeedTheirSeatsBackAllAtOnce() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olive Owner")
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)  // 2 seats
            let ids = try await Self.invite(app, wid, owner, ["a@example.com", "b@example.com"])
            app.clock.advance(by: 8 * 86_400)  // both expired: their seats are free again
            _ = try await app.addMember("Eve Editor", to: wid, role: .editor)
            let both = try await Self.bulk(app, wid, owner, "resend", ids)
            #expect(both.status == .conflict)
            #expect(both.problem?.code == "seat_limit_reached")
            #expect(try await Self.bulk(app, wid, owner, "resend", [ids[0]]).status == .ok)
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
