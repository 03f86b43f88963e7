import CrewCore
import CrewStore
import CrewTestSupport
import Foundation
import Testing

@Suite struct WorkspaceAPITests {
    @Test func creatorBecomesOwnerAndSeesUsage() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let created = try await app.client.send(.post, "/api/v1/workspaces", token: dana.token, json: ["name": " Acme ", "plan": "agency"])
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            #expect(created.object["name"] as? String == "Acme")
            let fetched = try await app.client.send(.get, "/api/v1/workspaces/\(id)", token: dana.token)
            #expect(fetched.status == .ok)
            #expect(fetched.object["plan"] as? String == "agency")
            #expect(fetched.object["seats"] as? [String: Int] == ["limit": 5, "used": 0])
            #expect(fetched.object["accounts"] as? [String: Int] == ["limit": 30, "used": 0])
            let me = try await app.client.send(.get, "/api/v1/me", token: dana.token)
            let workspaces = try #require(me.object["workspaces"] as? [[String: String]])
            #expect(workspaces == [["id": id, "name": "Acme", "role": "owner"]])
        }
    }

    @Test func unlimitedSeatsAreAnExplicitNull() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let created = try await app.client.send(.post, "/api/v1/workspaces", token: dana.token, json: ["name": "Big", "plan": "agency_plus"])
            #expect(created.text.contains(#""seats":{"limit":null,"used":0}"#))
        }
    }

    @Test func operatorPlansApply() async throws {
        try await TestApp.run(environment: ["CREW_PLAN_AGENCY": "7/40", "CREW_PLAN_ENTERPRISE": "unlimited/500"]) { app in
            let dana = try await app.signup("Dana")
            let agency = try await app.client.send(.post, "/api/v1/workspaces", token: dana.token, json: ["name": "A", "plan": "agency"])
            #expect(agency.object["seats"] as? [String: Int] == ["limit": 7, "used": 0])
            let enterprise = try await app.client.send(.post, "/api/v1/workspaces", token: dana.token, json: ["name": "E", "plan": "enterprise"])
            #expect(enterprise.status == .created)
        }
    }

    @Test func aPersonMayOwnManyWorkspaces() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            for name in ["B", "A", "C"] { _ = try await app.createWorkspace(name, as: dana) }
            let me = try await app.client.send(.get, "/api/v1/me", token: dana.token)
            let names = (me.object["workspaces"] as? [[String: String]])?.map { $0["name"] ?? "" }
            #expect(names == ["A", "B", "C"])
        }
    }

    @Test func unknownPlanIs422AndCreatesNothing() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let response = try await app.client.send(.post, "/api/v1/workspaces", token: dana.token, json: ["name": "X", "plan": "gold"])
            #expect(response.status == .unprocessableContent)
            #expect(response.problem?.errors?.first?.field == "plan")
            #expect(try await WorkspaceModel.query(on: app.db).count() == 0)
            #expect(try await AuditEventModel.query(on: app.db).count() == 0)
        }
    }

    @Test func anotherPersonsWorkspaceIsNotFound() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let eve = try await app.signup("Eve")
            let id = try await app.createWorkspace(as: dana)
            let response = try await app.client.send(.get, "/api/v1/workspaces/\(id)", token: eve.token)
            #expect(response.status == .notFound)
            #expect(response.problem?.code == "not_found")
            let unknown = try await app.client.send(.get, "/api/v1/workspaces/\(UUID().uuidString)", token: eve.token)
            #expect(unknown.text == response.text, "a foreign id and a missing id answer alike")
            #expect(try await app.client.send(.get, "/api/v1/workspaces/not-an-id", token: eve.token).status == .notFound)
        }
    }

    @Test func creationIsAudited() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let id = try await app.createWorkspace("Acme", as: dana)
            let events = try await AuditEventModel.query(on: app.db).all()
            #expect(events.count == 1)
            #expect(events.first?.action == "workspace.created")
            #expect(events.first?.workspaceID?.uuidString.lowercased() == id)
            #expect(events.first?.actorName == "Dana")
            #expect(events.first?.afterJSON == #"{"name":"Acme","plan":"agency"}"#)
        }
    }
}
