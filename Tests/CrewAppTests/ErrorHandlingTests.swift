import CrewCore
import CrewStore
import CrewTestSupport
import HTTPTypes
import Testing

@Suite struct ErrorHandlingTests {
    @Test func unknownRouteIsAProblem() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(.get, "/api/v1/nothing-here")
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.problem?.code == "not_found")
        }
    }

    @Test func browsersGetAnHTMLErrorPage() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(.get, "/nothing-here", headers: [.accept: "text/html,*/*"])
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(response.text.contains("Not found"))
        }
    }

    @Test func nonJSONBodyIs415() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(
                .post, "/api/v1/auth/signup", body: "email=a@b.co", headers: [.contentType: "text/plain"])
            #expect(response.status == .unsupportedMediaType)
            #expect(response.problem?.code == "unsupported_media_type")
            #expect(try await UserModel.query(on: app.db).count() == 0)
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(
                .post, "/api/v1/auth/signup", body: "{\"email\": ", headers: [.contentType: "application/json"])
            #expect(response.status == .badRequest)
            #expect(response.problem?.code == "malformed_json")
        }
    }

    @Test func missingAndMistypedFieldsAre422WithTheirNames() async throws {
        try await TestApp.run { app in
            let missing = try await app.client.send(.post, "/api/v1/auth/signup", json: ["email": "a@b.co", "name": "A"])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.problem?.errors?.map(\.field) == ["password"])
            let mistyped = try await app.client.send(.post, "/api/v1/auth/signup", json: ["email": 5, "password": "x", "name": "A"])
            #expect(mistyped.status == .unprocessableContent)
            #expect(mistyped.problem?.errors?.first?.field == "email")
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await TestApp.run { app in
            let huge = "{\"email\":\"" + String(repeating: "a", count: 1 << 20) + "\"}"
            let response = try await app.client.send(.post, "/api/v1/auth/signup", body: huge, headers: [.contentType: "application/json"])
            #expect(response.status == .contentTooLarge)
            #expect(response.problem?.code == "payload_too_large")
        }
    }
}
