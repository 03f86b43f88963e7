import CrewCore
import CrewServices
import CrewStore
import CrewTestSupport
import FluentSQL
import Foundation
import Testing

@Suite struct ConsistencyDoctorTests {
    @Test func aHealthyDatabaseHasNoViolationsAndEachCorruptionIsNamed() async throws {
        try await TestApp.run { app in
            let owner = try await app.signup("Olga")
            let wid = try await app.createWorkspace(plan: "small_team", as: owner)
            let other = try await app.createWorkspace("Other", as: owner)
            let account = try await app.addAccount("Page", to: wid)
            let foreign = try await app.addAccount("Foreign", to: other)
            let editor = try await app.addMember("Ed", to: wid, role: .editor, accounts: [account])
            _ = try await app.addMember("Cy", to: wid, role: .client, permissions: [.viewAnalytics])
            let doctor = ConsistencyDoctor(env: app.services.env)
            let healthy = try await doctor.examine(on: app.db)
            #expect(healthy.violations.isEmpty, "\(healthy.violations)")
            #expect(healthy.workspaces == 2 && healthy.members == 4)

            // What a crash or a bug could leave behind.
            let sql = app.db as! any SQLDatabase
            let editorID = try parseID(editor.memberID)
            try await AccountGrantModel(membershipID: editorID, accountID: try parseID(foreign), workspaceID: try parseID(wid)).create(on: app.db)
            try await sql.update("memberships").set("role", to: SQLBind("owner")).set("counts_as_seat", to: SQLBind(false))
                .where("id", .equal, SQLBind(editorID)).run()
            let admin = try await app.addMember("Ann", to: wid, role: .admin)
            try await sql.update("memberships").set("counts_as_seat", to: SQLBind(false)).where("id", .equal, SQLBind(try parseID(admin.memberID))).run()
            _ = try await app.addMember("Max", to: wid, role: .manager)
            _ = try await app.addMember("Eve", to: wid, role: .editor)

            let sick = try await doctor.examine(on: app.db)
            let checks = sick.violations.map(\.check).sorted()
            #expect(checks == ["grant", "owner", "seat count", "seat flag", "seat limit"], "\(sick.violations)")
            #expect(sick.violations.first { $0.check == "seat count" }?.detail == "workspace \(wid) counts 2 seats but the recount is 3")
            #expect(sick.violations.first { $0.check == "owner" }?.detail == "workspace \(wid) has 2 owners")
            #expect(sick.violations.first { $0.check == "seat limit" }?.detail == "workspace \(wid) uses 3 seats of 2")
        }
    }
}
