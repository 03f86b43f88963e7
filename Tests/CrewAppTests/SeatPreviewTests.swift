import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// `POST …/seats/preview` answers seats before and after a proposed change and
/// whether it fits, with the change's own errors for bad input, and changes nothing.
@Suite struct SeatPreviewTests {
    struct Setup {
        var wid: String
        var owner: TestUser
        var client: TestMember
    }

    /// An agency workspace (5 seats) with 4 editors and a client who may not publish.
    static func setup(_ app: TestApp) async throws -> Setup {
        let owner = try await app.signup("Olive Owner")
        let wid = try await app.createWorkspace(plan: "agency", as: owner)
        for n in 0..<4 { _ = try await app.addMember("Editor \(n)", to: wid, role: .editor) }
        let client = try await app.addMember("Cleo Client", to: wid, role: .client, permissions: [.viewAnalytics])
        return Setup(wid: wid, owner: owner, client: client)
    }

    static func preview(_ app: TestApp, _ setup: Setup, _ body: [String: any Sendable], as user: TestUser? = nil) async throws -> TestResponse {
        try await app.client.send(.post, "/api/v1/workspaces/\(setup.wid)/seats/preview", token: (user ?? setup.owner).token, json: body)
    }

    static func seats(_ answer: TestResponse) -> (before: Int?, after: Int?, limit: Int?, fits: Bool?, detail: String) {
        let object = answer.object
        let before = object["before"] as? [String: Any], after = object["after"] as? [String: Any]
        return (before?["used"] as? Int, after?["used"] as? Int, after?["limit"] as? Int, object["fits"] as? Bool, object["detail"] as? String ?? "")
    }

    @Test func invitationsMemberChangesTheLinkAndPlansArePreviewed() async throws {
        try await TestApp.run { app in
            let setup = try await Self.setup(app)
            let rows = try await Self.counts(app, setup)
            let one = Self.seats(try await Self.preview(app, setup, ["invitation": ["emails": ["e5@example.com"], "role": "editor"] as [String: any Sendable]]))
            #expect(one.before == 4 && one.after == 5 && one.limit == 5 && one.fits == true)
            #expect(one.detail == "This editor will take a seat: 5 of 5 used after.")
            let two = Self.seats(try await Self.preview(app, setup, ["invitation": ["emails": ["a@example.com", "b@example.com"], "role": "editor"] as [String: any Sendable]]))
            #expect(two.after == 6 && two.fits == false)
            let viewer = Self.seats(try await Self.preview(app, setup, ["invitation": ["emails": ["c@example.com"], "role": "client"] as [String: any Sendable]]))
            #expect(viewer.after == 4 && viewer.fits == true && viewer.detail.hasPrefix("This client will not take a seat"))
            let publisher = Self.seats(try await Self.preview(
                app, setup, ["invitation": ["emails": ["c@example.com"], "role": "client", "permissions": ["publish_posts"]] as [String: any Sendable]]))
            #expect(publisher.after == 5 && publisher.fits == true)

            let member = Self.seats(try await Self.preview(
                app, setup, ["member": ["memberId": setup.client.memberID, "permissions": ["publish_posts", "view_analytics"]] as [String: any Sendable]]))
            #expect(member.before == 4 && member.after == 5 && member.fits == true && member.detail.hasPrefix("This change takes a seat"))

            let link = Self.seats(try await Self.preview(app, setup, ["link": ["permissions": ["publish_posts"]] as [String: any Sendable]]))
            #expect(link.after == 5 && link.fits == true && link.detail.hasPrefix("Each joiner will take a seat"))

            let smaller = Self.seats(try await Self.preview(app, setup, ["plan": "small_team"]))
            #expect(smaller.before == 4 && smaller.after == 4 && smaller.limit == 2 && smaller.fits == false)
            let larger = try await Self.preview(app, setup, ["plan": "agency_plus"])
            #expect(Self.seats(larger).fits == true)
            #expect((larger.object["after"] as? [String: Any])?["limit"] is NSNull)
            // Nothing changed by any of it.
            #expect(try await Self.counts(app, setup) == rows)
        }
    }

    @Test func aFullWorkspaceWarnsThatLinkJoinersWillBeRefused() async throws {
        try await TestApp.run { app in
            let setup = try await Self.setup(app)
            _ = try await app.addMember("Editor 5", to: setup.wid, role: .editor)
            let link = Self.seats(try await Self.preview(app, setup, ["link": ["permissions": ["publish_posts"]] as [String: any Sendable]]))
            #expect(link.before == 5 && link.after == 6 && link.fits == false)
            #expect(link.detail.hasSuffix("no seat is free, so joiners will be refused."))
            let free = Self.seats(try await Self.preview(app, setup, ["link": ["permissions": ["view_analytics"]] as [String: any Sendable]]))
            #expect(free.fits == true && free.after == 5)
        }
    }

    @Test func badProposalsGetTheChangesOwnErrorsAndChangeNothing() async throws {
        try await TestApp.run { app in
            let setup = try await Self.setup(app)
            let rows = try await Self.counts(app, setup)
            let both = try await Self.preview(app, setup, ["plan": "agency_plus", "link": ["permissions": [String]()] as [String: any Sendable]])
            #expect(both.status == .unprocessableContent && both.problem?.code == "validation_failed")
            let none = try await Self.preview(app, setup, [:])
            #expect(none.status == .unprocessableContent)
            let role = try await Self.preview(app, setup, ["invitation": ["emails": ["x@example.com"], "role": "overlord"] as [String: any Sendable]])
            #expect(role.status == .unprocessableContent)
            let email = try await Self.preview(app, setup, ["invitation": ["emails": ["not an address"], "role": "editor"] as [String: any Sendable]])
            #expect(email.status == .unprocessableContent)
            let plan = try await Self.preview(app, setup, ["plan": "no_such_plan"])
            #expect(plan.status == .unprocessableContent)
            // A team member is never turned into a client.
            let editor = try #require(try await MembershipModel.query(on: app.db).filter(\.$roleText == "editor").first())
            let escalation = try await Self.preview(app, setup, ["member": ["memberId": editor.id!.apiString, "role": "client"] as [String: any Sendable]])
            let refusedEdit = try await app.client.send(
                .patch, "/api/v1/workspaces/\(setup.wid)/members/\(editor.id!.apiString)", token: setup.owner.token, json: ["role": "client"])
            #expect(escalation.status == refusedEdit.status && escalation.problem?.code == refusedEdit.problem?.code)
            #expect(escalation.status == .unprocessableContent)
            // A member of another workspace does not exist here.
            let other = try await app.signup("Otto Other")
            let otherWid = try await app.createWorkspace(as: other)
            let stranger = try await app.addMember("Sam Stranger", to: otherWid, role: .client)
            let foreign = try await Self.preview(app, setup, ["member": ["memberId": stranger.memberID, "permissions": ["publish_posts"]] as [String: any Sendable]])
            #expect(foreign.status == .notFound)
            // A client may not preview the team's changes.
            let byClient = try await Self.preview(app, setup, ["plan": "agency_plus"], as: setup.client.user)
            #expect(byClient.status == .forbidden)
            #expect(try await Self.counts(app, setup) == rows)
        }
    }

    /// Invitations, memberships, grants and audit rows of the workspace, and its plan.
    static func counts(_ app: TestApp, _ setup: Setup) async throws -> [String] {
        let id = try parseID(setup.wid)
        return [
            "\(try await InvitationModel.query(on: app.db).filter(\.$workspaceID == id).count())",
            "\(try await MembershipModel.query(on: app.db).filter(\.$workspaceID == id).count())",
            "\(try await AccountGrantModel.query(on: app.db).filter(\.$workspaceID == id).count())",
            "\(try await AuditEventModel.query(on: app.db).filter(\.$workspaceID == id).count())",
            try await WorkspaceModel.find(id, on: app.db)?.plan ?? "",
            "\(try await MembershipModel.query(on: app.db).filter(\.$workspaceID == id).filter(\.$countsAsSeat == true).count())",
        ]
    }
}
